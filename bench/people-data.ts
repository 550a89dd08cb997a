import { normalizeEmail, normalizeEmployeeId } from "../server/people/normalize.js";
import type { UserRow } from "../server/people/users.repo.js";

/** Deterministic, realistic people for benchmarks: Spanish and English names, accents, phones. */
const FIRST = [
  "Lucía",
  "María",
  "Carmen",
  "Ana",
  "Laura",
  "Marta",
  "Sofía",
  "Paula",
  "Elena",
  "Isabel",
  "José",
  "Antonio",
  "Manuel",
  "Francisco",
  "David",
  "Juan",
  "Javier",
  "Daniel",
  "Carlos",
  "Miguel",
  "Olivia",
  "Emma",
  "Jack",
  "Harry",
  "George",
  "Amelia",
  "Noah",
  "Oliver",
  "Chloe",
  "Grace",
  "Núria",
  "Jordi",
  "Íñigo",
  "Aitor",
  "Begoña",
  "Raúl",
  "Álvaro",
  "Iván",
  "Óscar",
  "Zoë",
];
const LAST = [
  "García",
  "Rodríguez",
  "González",
  "Fernández",
  "López",
  "Martínez",
  "Sánchez",
  "Pérez",
  "Gómez",
  "Martín",
  "Jiménez",
  "Ruiz",
  "Hernández",
  "Díaz",
  "Moreno",
  "Muñoz",
  "Álvarez",
  "Romero",
  "Alonso",
  "Gutiérrez",
  "Navarro",
  "Torres",
  "Domínguez",
  "Vázquez",
  "Ramos",
  "Gil",
  "Ramírez",
  "Serrano",
  "Blanco",
  "Molina",
  "Smith",
  "Jones",
  "Taylor",
  "Brown",
  "Williams",
  "Wilson",
  "Johnson",
  "Davies",
  "Robinson",
  "Wright",
  "Castaño",
  "Ibáñez",
  "Peña",
  "Núñez",
  "Ortiz",
  "Marín",
  "Sanz",
  "Iglesias",
  "Medina",
  "Garrido",
];
const DEPARTMENTS = [
  "Warehouse",
  "Logistics",
  "Sales",
  "Customer service",
  "Maintenance",
  "Kitchen",
  "Cleaning",
  "Security",
  "Administration",
  "Production",
];
const SITES = ["Madrid", "Barcelona", "Valencia", "Sevilla", "Bilbao", "Zaragoza", "London", "Manchester"];

/** A small fast PRNG so that every run seeds the same people. */
export function rng(seed = 42) {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export type Person = {
  firstName: string;
  lastName: string;
  email: string | null;
  phone: string | null;
  employeeId: string;
  department: string;
  site: string;
  language: "en" | "es";
  status: "pending" | "active" | "deactivated";
};

const ascii = (s: string) => s.normalize("NFKD").replace(/\p{M}/gu, "").toLowerCase();

export function person(i: number, rand: () => number): Person {
  const pick = <T>(list: T[]) => list[Math.floor(rand() * list.length)] as T;
  const firstName = pick(FIRST);
  const lastName = `${pick(LAST)}${rand() < 0.5 ? ` ${pick(LAST)}` : ""}`;
  const r = rand();
  return {
    firstName,
    lastName,
    email: rand() < 0.7 ? `${ascii(firstName)}.${ascii(lastName).replace(/\s+/g, ".")}.${i}@example.com` : null,
    phone: rand() < 0.5 ? `+346${String(10_000_000 + i).padStart(8, "0")}` : null,
    employeeId: `E${String(i).padStart(6, "0")}`,
    department: pick(DEPARTMENTS),
    site: pick(SITES),
    language: rand() < 0.7 ? "es" : "en",
    status: r < 0.6 ? "pending" : r < 0.95 ? "active" : "deactivated",
  };
}

/** A generated person as the row the import path inserts (status and created_at as given). */
export function personRow(
  p: Person,
  importRow: number,
  createdAt: number,
  status: Person["status"] = p.status,
): UserRow & { import_row: number } {
  const now = Date.now();
  return {
    first_name: p.firstName,
    last_name: p.lastName,
    email: p.email,
    email_normalized: p.email ? normalizeEmail(p.email) : null,
    phone: p.phone,
    phone_consent: Boolean(p.phone),
    phone_consent_at: p.phone ? now : null,
    phone_consent_by: p.phone ? "bench" : null,
    employee_id: p.employeeId,
    employee_id_normalized: normalizeEmployeeId(p.employeeId),
    department: p.department,
    site: p.site,
    language: p.language,
    status,
    created_at: createdAt,
    updated_at: now,
    joined_at: status === "active" ? now : null,
    deactivated_at: status === "deactivated" ? now : null,
    import_row: importRow,
  };
}
