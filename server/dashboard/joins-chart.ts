import { intlLocale, translator } from "../core/i18n/index.js";
/**
 * Geometry of the joins-over-time bar chart, drawn by the template as inline SVG (no
 * script, no style attributes: the CSP allows neither). Kept out of the template so the
 * arithmetic is readable and the template only places what is computed here.
 */

export type ChartBar = { x: number; y: number; width: number; height: number; n: number; day: string; label: string };
export type ChartTick = { y: number; value: number };
export type ChartDayLabel = { x: number; text: string };
export type JoinsChart = {
  width: number;
  height: number;
  plot: { left: number; right: number; top: number; bottom: number };
  bars: ChartBar[];
  ticks: ChartTick[];
  dayLabels: ChartDayLabel[];
  max: number;
  total: number;
  busiest: { day: string; n: number } | null;
};

const WIDTH = 760;
const HEIGHT = 200;
const PAD = { left: 36, right: 8, top: 12, bottom: 28 };

/** The chart's day formats in one language, made once per language. */
const formatters = new Map<string, { day: Intl.DateTimeFormat; long: Intl.DateTimeFormat }>();
function dayFormats(language: string) {
  let f = formatters.get(language);
  if (!f) {
    const locale = intlLocale(language);
    f = {
      day: new Intl.DateTimeFormat(locale, { day: "numeric", month: "short", timeZone: "UTC" }),
      long: new Intl.DateTimeFormat(locale, {
        weekday: "short",
        day: "numeric",
        month: "short",
        year: "numeric",
        timeZone: "UTC",
      }),
    };
    formatters.set(language, f);
  }
  return f;
}

/**
 * A round, even axis maximum at or above `n` (4, 6, 8, 10, 20, 30…), so the middle grid line
 * is a whole number; at least 4 so a quiet month does not look busy.
 */
export function niceMax(n: number): number {
  const target = Math.max(4, n);
  const magnitude = 10 ** Math.floor(Math.log10(target));
  for (const step of [1, 2, 3, 4, 5, 6, 8, 10]) {
    const value = step * magnitude;
    if (value >= target && value % 2 === 0) return value;
  }
  return 10 * magnitude;
}

export function joinsChart(days: Array<{ day: string; n: number }>, language = "en"): JoinsChart {
  const t = translator(language);
  const { day: DAY, long: LONG_DAY } = dayFormats(language);
  const plot = { left: PAD.left, right: WIDTH - PAD.right, top: PAD.top, bottom: HEIGHT - PAD.bottom };
  const plotHeight = plot.bottom - plot.top;
  const slot = (plot.right - plot.left) / Math.max(1, days.length);
  const barWidth = Math.max(2, slot * 0.68);
  const observed = Math.max(0, ...days.map((d) => d.n));
  const max = niceMax(observed);

  const bars = days.map((d, i) => {
    const h = d.n > 0 ? Math.max(2, (d.n / max) * plotHeight) : 0;
    const date = new Date(`${d.day}T00:00:00Z`);
    return {
      x: round(plot.left + i * slot + (slot - barWidth) / 2),
      y: round(plot.bottom - h),
      width: round(barWidth),
      height: round(h),
      n: d.n,
      day: d.day,
      label: t("dashboard:barLabel", { day: LONG_DAY.format(date), n: d.n }),
    };
  });

  const ticks = [0, 0.5, 1].map((f) => ({ y: round(plot.bottom - f * plotHeight), value: Math.round(f * max) }));
  // A date under every 7th bar, counted back from today so the last bar is labelled.
  const dayLabels = days
    .map((d, i) => ({ i, d }))
    .filter(({ i }) => (days.length - 1 - i) % 7 === 0)
    .map(({ i, d }) => ({ x: round(plot.left + i * slot + slot / 2), text: DAY.format(new Date(`${d.day}T00:00:00Z`)) }));

  const total = days.reduce((a, d) => a + d.n, 0);
  const top = days.reduce<{ day: string; n: number } | null>((best, d) => (d.n > 0 && (!best || d.n >= best.n) ? d : best), null);
  return {
    width: WIDTH,
    height: HEIGHT,
    plot,
    bars,
    ticks,
    dayLabels,
    max,
    total,
    busiest: top ? { day: LONG_DAY.format(new Date(`${top.day}T00:00:00Z`)), n: top.n } : null,
  };
}

const round = (v: number) => Math.round(v * 10) / 10;
