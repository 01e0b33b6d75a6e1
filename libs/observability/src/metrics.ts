import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** The registry `GET /metrics` serves (Prometheus text format). */
export const metricsRegistry = new Registry();
collectDefaultMetrics({ register: metricsRegistry });

export const httpMetrics = {
  requests: new Counter({
    name: 'crisisklaar_http_requests_total',
    help: 'HTTP requests by method, route and status',
    labelNames: ['method', 'route', 'status'] as const,
    registers: [metricsRegistry],
  }),
  duration: new Histogram({
    name: 'crisisklaar_http_request_duration_seconds',
    help: 'HTTP request latency',
    labelNames: ['method', 'route'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [metricsRegistry],
  }),
};

export const eventMetrics = {
  consumed: new Counter({
    name: 'crisisklaar_events_consumed_total',
    help: 'Consumed events by consumer, subject and outcome (acked, retry, dead-lettered, skipped)',
    labelNames: ['consumer', 'subject', 'outcome'] as const,
    registers: [metricsRegistry],
  }),
  handleDuration: new Histogram({
    name: 'crisisklaar_event_handle_duration_seconds',
    help: 'Time an event handler took, commit included',
    labelNames: ['subject'] as const,
    buckets: [0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1],
    registers: [metricsRegistry],
  }),
  published: new Counter({
    name: 'crisisklaar_events_published_total',
    help: 'Outbox events published to JetStream',
    registers: [metricsRegistry],
  }),
  publishFailures: new Counter({
    name: 'crisisklaar_outbox_publish_failures_total',
    help: 'Outbox publish attempts that failed (the events stay pending)',
    registers: [metricsRegistry],
  }),
};

export const queueMetrics = {
  jobs: new Counter({
    name: 'crisisklaar_queue_jobs_total',
    help: 'Queue jobs by queue and outcome',
    labelNames: ['queue', 'outcome'] as const,
    registers: [metricsRegistry],
  }),
  duration: new Histogram({
    name: 'crisisklaar_queue_job_duration_seconds',
    help: 'Queue job processing time',
    labelNames: ['queue'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [metricsRegistry],
  }),
  enqueueToDone: new Histogram({
    name: 'crisisklaar_queue_enqueue_to_done_seconds',
    help: 'From enqueue to the job finishing',
    labelNames: ['queue'] as const,
    buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers: [metricsRegistry],
  }),
};
