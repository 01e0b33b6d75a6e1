import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { CRISIS_ROLES, demoPerson } from '#lib/demo';
import type { FakePushService } from '../../fakes/index.js';
import type { Api } from '../../e2e/support/system.js';

/**
 * Seeding of bench schools into the isolated system of a benchmark.
 *
 * There is no API to create schools, accounts or memberships (they come from the school's administration), so
 * those rows go straight into the gateway's tables, as the demo seed does. A registered device is the notifier's
 * `push_subscription` row that POST /api/push/subscriptions would write (it needs each person's login, and 30,000
 * scrypt logins would take longer than the benchmark), and a phone number is the notifier's `contact` row that
 * PUT /api/me/phone would write; both are inserted directly, with the same columns and defaults. Crisis plans are
 * saved through the real API (PUT /api/schools/:id/plan) by the demo admin of De Regenboog, who is made admin
 * of every bench school. Nothing measured goes around the apps.
 */

export const BENCH_ADMIN_EMAIL = 'beheer@deregenboog.example';

export interface BenchSchool {
  id: string;
  boardId: string;
  /** Everyone with a role at the school, crisis team first (the admin who triggers is not among them). */
  people: string[];
  /** Per crisis role: primary and deputy. */
  crisisTeam: string[];
}

export interface SeedOptions {
  schools: number;
  staffPerSchool: number;
  /** A push subscription at the fake push service per person (else none: push fails and SMS takes over). */
  devices: boolean;
  /** A phone number per person (for SMS). */
  phones: boolean;
  /** A label, so that several seeds in one database stay apart. */
  label: string;
}

/** Fictional Dutch mobile numbers: +316 followed by 8 digits, unique per seeded person. */
let phoneCounter = 20_000_000;

export interface Seeded {
  schools: BenchSchool[];
  /** person id → subscription id at the fake push service. */
  devices: Map<string, string>;
  /** phone (E.164) → person id. */
  phones: Map<string, string>;
}

const chunk = <T>(rows: T[], size: number): T[][] =>
  Array.from({ length: Math.ceil(rows.length / size) }, (_, i) => rows.slice(i * size, (i + 1) * size));

/** Inserts `rows` into `table` with multi-row INSERTs of up to 1,000 rows. */
async function insertRows(db: pg.Client, table: string, columns: string[], rows: unknown[][]): Promise<void> {
  for (const part of chunk(rows, 1000)) {
    const values = part.map((_, r) => `(${columns.map((_c, c) => `$${r * columns.length + c + 1}`).join(', ')})`);
    await db.query(`INSERT INTO ${table} (${columns.join(', ')}) VALUES ${values.join(', ')}`, part.flat());
  }
}

/**
 * Creates `schools` schools of `staffPerSchool` people each under a new board: the first 20 people of a school
 * are its crisis team (a primary and a deputy per role, saved as the school's crisis plan), the rest staff.
 */
export async function seedSchools(
  databaseUrl: string,
  admin: Api,
  push: FakePushService,
  options: SeedOptions,
): Promise<Seeded> {
  const staff = Math.max(options.staffPerSchool, CRISIS_ROLES.length * 2);
  const boardId = randomUUID();
  const adminId = demoPerson(BENCH_ADMIN_EMAIL).id;
  const schools: BenchSchool[] = Array.from({ length: options.schools }, () => ({
    id: randomUUID(),
    boardId,
    people: Array.from({ length: staff }, () => randomUUID()),
    crisisTeam: [],
  }));
  for (const school of schools) {
    school.crisisTeam = school.people.slice(0, CRISIS_ROLES.length * 2);
  }
  const devices = new Map<string, string>();
  const phones = new Map<string, string>();
  const db = new pg.Client({ connectionString: databaseUrl });
  await db.connect();
  try {
    await db.query('BEGIN');
    await db.query('INSERT INTO gateway.board (id, name) VALUES ($1, $2)', [boardId, `Bench ${options.label}`]);
    await insertRows(
      db,
      'gateway.school',
      ['id', 'board_id', 'name', 'sector'],
      schools.map((s, i) => [s.id, boardId, `Bench ${options.label} ${String(i).padStart(3, '0')}`, 'po']),
    );
    const accounts: unknown[][] = [];
    const memberships: unknown[][] = [];
    for (const [i, school] of schools.entries()) {
      for (const [j, personId] of school.people.entries()) {
        // Nobody logs in as these people: the hash is not a valid scrypt hash, so no password matches.
        accounts.push([personId, `bench-${options.label}-${i}-${j}@bench.example`, `Bench ${i}.${j}`, 'bench$none']);
        memberships.push([personId, school.id, j < school.crisisTeam.length ? 'crisis_team' : 'staff']);
      }
      memberships.push([adminId, school.id, 'admin']);
    }
    await insertRows(db, 'gateway.account', ['person_id', 'email', 'name', 'password_hash'], accounts);
    await insertRows(db, 'gateway.membership', ['person_id', 'school_id', 'role'], memberships);

    const now = new Date();
    if (options.devices) {
      const rows: unknown[][] = [];
      for (const personId of schools.flatMap((s) => s.people)) {
        const device = push.createSubscription();
        devices.set(personId, device.id);
        const { endpoint, keys } = device.subscription;
        rows.push([randomUUID(), personId, endpoint, keys.p256dh, keys.auth, 'bench', now]);
      }
      await insertRows(
        db,
        'notifier.push_subscription',
        ['id', 'person_id', 'endpoint', 'p256dh', 'auth', 'user_agent', 'created_at'],
        rows,
      );
    }
    if (options.phones) {
      const rows: unknown[][] = [];
      for (const personId of schools.flatMap((s) => s.people)) {
        phoneCounter += 1;
        const phone = `+316${phoneCounter}`;
        phones.set(phone, personId);
        rows.push([personId, phone, now]);
      }
      await insertRows(db, 'notifier.contact', ['person_id', 'phone', 'updated_at'], rows);
    }
    await db.query('COMMIT');
  } catch (error) {
    await db.query('ROLLBACK');
    throw error;
  } finally {
    await db.end();
  }

  // The crisis plans, through the API: a primary and a deputy per role.
  const reviewDue = new Date(Date.now() + 365 * 86_400_000).toISOString().slice(0, 10);
  for (const part of chunk(schools, 8)) {
    await Promise.all(
      part.map(async (school) => {
        const roles = CRISIS_ROLES.map((role, k) => ({
          role: role.id,
          people: [school.crisisTeam[2 * k]!, school.crisisTeam[2 * k + 1]!],
        }));
        const res = await admin.request('PUT', `/api/schools/${school.id}/plan`, {
          content: { roles, unavailable: [], taskOverrides: [], extraTasks: [], reviewDue },
          expectedVersion: null,
        });
        if (res.status !== 200) {
          throw new Error(`plan of bench school ${school.id}: ${res.status} ${res.text}`);
        }
      }),
    );
  }
  return { schools, devices, phones };
}
