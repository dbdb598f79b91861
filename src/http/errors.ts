/** The one error type routes throw; `onError` turns it into `{code, message}` with its status. */
export class ApiError extends Error {
  readonly status: 400 | 401 | 403 | 404 | 409 | 413 | 503;
  readonly code: string;
  constructor(status: ApiError["status"], code: string, message: string) {
    super(message);
    this.status = status;
    this.code = code;
  }
}
