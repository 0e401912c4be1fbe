// Pure validators for identifiers the API accepts. Each returns a result naming what is wrong
// (and where, when a position makes sense) instead of throwing, so callers choose the error.
export * from "./countries";
export * from "./credit-code";
export * from "./currencies";
export * from "./dangerous-goods";
export * from "./hs-code";
export * from "./plate";
export * from "./registration-number";
export * from "./unit-number";
