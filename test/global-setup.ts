// Filled in by the database harness: prepares a migrated template database once per run.
export async function setup(): Promise<void> {}
