export * from "./audit";
export * from "./feed";
export * from "./idempotency";
export * from "./limits";
export * from "./marketplace";
export * from "./participants";
export * from "./routing";
export * from "./waybills";
