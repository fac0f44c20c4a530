/** Most replications one run may ask for (a limit: each is a full simulation per strategy). */
export const MAX_REPLICATIONS = 10_000;
