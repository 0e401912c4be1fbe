// The closed lists loads and bids move through, for api/ to validate against without reaching
// into db/: the schema declares them once, as its column types.
export { AWARD_RULES, BID_STATUSES, LOAD_STATUSES } from "../../db/schema";
