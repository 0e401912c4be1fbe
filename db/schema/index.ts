export * from "./audit";
export * from "./participants";
