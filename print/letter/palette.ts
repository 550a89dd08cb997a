/**
 * The letter's colours: dark enough to stay crisp on an office laser printer in black and
 * white (the accent prints as a mid grey), calm enough to look like company stationery.
 */
export const INK = "#17202e";
export const BODY = "#3d4756";
export const MUTED = "#6b7585";
export const RULE = "#d5dae1";
export const ACCENT = "#1f4fa3";
export const TINT = "#f1f4f9";
export const WARN = "#b45309";
export const WARN_TINT = "#fdf6ec";
