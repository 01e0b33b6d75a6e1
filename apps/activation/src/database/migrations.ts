import { CreateIncidents1764288000000 } from './migrations/1764288000000-CreateIncidents.js';
import { AddTaskLifecycle1764345600000 } from './migrations/1764345600000-AddTaskLifecycle.js';
import { AddIncidentLifecycle1764352800000 } from './migrations/1764352800000-AddIncidentLifecycle.js';
import { VersionedPlans1764360000000 } from './migrations/1764360000000-VersionedPlans.js';
import { AddLegalChain1764367200000 } from './migrations/1764367200000-AddLegalChain.js';
import { AddCommunication1764374400000 } from './migrations/1764374400000-AddCommunication.js';

/** Every migration of the activation schema, in order. */
export const ACTIVATION_MIGRATIONS = [
  CreateIncidents1764288000000,
  AddTaskLifecycle1764345600000,
  AddIncidentLifecycle1764352800000,
  VersionedPlans1764360000000,
  AddLegalChain1764367200000,
  AddCommunication1764374400000,
];
