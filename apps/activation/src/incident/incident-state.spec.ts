import { describe, expect, it } from '@jest/globals';
import { statusOfPhase, step } from './incident-state.js';

const leader = { isLeader: true };
const active = { status: 'active' as const, phase: 1 };

describe('incident lifecycle', () => {
  it('moves phases forward with the matching status', () => {
    expect(step(active, { kind: 'phase', to: 3 }, leader)).toEqual({
      ok: true,
      status: 'stabilising',
      phase: 3,
      changed: true,
    });
    expect(step({ status: 'stabilising', phase: 3 }, { kind: 'phase', to: 4 }, leader)).toMatchObject({
      status: 'aftercare',
    });
    expect(step({ status: 'aftercare', phase: 5 }, { kind: 'phase', to: 'evaluation' }, leader)).toMatchObject({
      status: 'evaluation',
      phase: 5,
    });
    expect([1, 2, 3, 4, 5].map(statusOfPhase)).toEqual(['active', 'active', 'stabilising', 'aftercare', 'aftercare']);
  });

  it('never moves a phase back, and repeating the current one changes nothing', () => {
    expect(step({ status: 'aftercare', phase: 4 }, { kind: 'phase', to: 2 }, leader)).toMatchObject({
      ok: false,
      code: 'INVALID_TRANSITION',
    });
    expect(step({ status: 'evaluation', phase: 5 }, { kind: 'phase', to: 5 }, leader)).toMatchObject({ ok: false });
    expect(step({ status: 'aftercare', phase: 4 }, { kind: 'phase', to: 4 }, leader)).toMatchObject({
      ok: true,
      changed: false,
    });
  });

  it('closes after the evaluation without a reason, earlier only with one', () => {
    expect(step({ status: 'evaluation', phase: 5 }, { kind: 'close' }, leader)).toMatchObject({
      ok: true,
      status: 'closed',
      early: false,
    });
    expect(step(active, { kind: 'close' }, leader)).toMatchObject({ ok: false, code: 'REASON_REQUIRED' });
    expect(step(active, { kind: 'close', reason: '  ' }, leader)).toMatchObject({ ok: false, code: 'REASON_REQUIRED' });
    expect(step(active, { kind: 'close', reason: 'Afgehandeld door het bestuur' }, leader)).toMatchObject({
      ok: true,
      status: 'closed',
      early: true,
    });
  });

  it('cancels a false alarm with a reason', () => {
    expect(step(active, { kind: 'cancel', reason: 'Loos alarm: leerling was bij opa' }, leader)).toMatchObject({
      status: 'cancelled',
    });
    expect(step(active, { kind: 'cancel', reason: '' }, leader)).toMatchObject({ ok: false, code: 'REASON_REQUIRED' });
  });

  it('does not move an ended incident, and only a leader moves one at all', () => {
    for (const status of ['closed', 'cancelled'] as const) {
      expect(step({ status, phase: 2 }, { kind: 'phase', to: 3 }, leader)).toMatchObject({
        ok: false,
        code: 'INVALID_TRANSITION',
      });
      expect(step({ status, phase: 2 }, { kind: 'cancel', reason: 'x' }, leader)).toMatchObject({ ok: false });
    }
    expect(step(active, { kind: 'phase', to: 2 }, { isLeader: false })).toMatchObject({ ok: false, code: 'FORBIDDEN' });
  });
});
