/** A field-level problem, named by its path in the request, e.g. `cargo.weightKg`. */
export interface FieldIssue {
  path: string;
  message: string;
}

/** Base of every error the domain throws on purpose; the API maps `kind` to a status. */
export abstract class DomainError extends Error {
  abstract readonly kind:
    | "validation"
    | "unauthorized"
    | "forbidden"
    | "not_found"
    | "conflict"
    | "unprocessable";
  constructor(
    message: string,
    readonly details: FieldIssue[] = [],
    /** Machine-readable reason for clients, e.g. `NO_ROUTE`, `BIDDING_CLOSED`. */
    readonly reason?: string,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

export class ValidationError extends DomainError {
  readonly kind = "validation";
  static field(path: string, message: string): ValidationError {
    return new ValidationError(`${path}: ${message}`, [{ path, message }]);
  }
}

export class UnauthorizedError extends DomainError {
  readonly kind = "unauthorized";
}

export class ForbiddenError extends DomainError {
  readonly kind = "forbidden";
}

export class NotFoundError extends DomainError {
  readonly kind = "not_found";
  static of(entity: string, id: string): NotFoundError {
    return new NotFoundError(`${entity} ${id} not found`);
  }
}

export class ConflictError extends DomainError {
  readonly kind = "conflict";
}

/** Well-formed but not acceptable, e.g. no route exists or a rule refuses the request. */
export class UnprocessableError extends DomainError {
  readonly kind = "unprocessable";
}
