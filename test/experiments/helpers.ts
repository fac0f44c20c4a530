/** A few seconds of simulation per replication: two strategies, churn, abrupt departures. */
export const TINY = `name: tiny-replicated
seed: 5
duration: 90s
stream: { bitrate: 400kbps, chunkDuration: 1s }
source: { upload: 4Mbps }
churn:
  arrivals:
    - { type: poisson, rate: 30/min }
  session: { distribution: exponential, mean: 1min }
  abruptShare: 0.5
strategies:
  - { name: cs, type: client-server }
  - { name: tree, type: tree-relay, maxChildren: 3 }
`;
