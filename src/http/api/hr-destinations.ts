/** HR delivery destinations (ERPNext, Odoo…): settings and status, test connection, dead letters. */
import {
  createHrDestination,
  deleteHrDestination,
  getHrDestination,
  type HrDestinationDeps,
  listHrDestinations,
  retryHrDeadLetter,
  testHrDestination,
  updateHrDestination,
  viewHrDestination,
} from "../../app/hr-destinations.ts";
import { createHrDestinationBody, patchHrDestinationBody } from "../../connectors/destination.ts";
import type { HrDeadLetterRow } from "../../store/schema.ts";
import { pathId } from "../../lib/path-id.ts";
import { destinationRoutes } from "./destination-routes.ts";

function hrDeadLetterJson(l: HrDeadLetterRow) {
  return {
    id: l.id,
    destinationId: l.destinationId,
    recordId: l.recordId,
    status: l.status,
    attempts: l.attempts,
    /** The HR system's own message (or why it could not be reached). */
    lastError: l.lastError,
    record: JSON.parse(l.record) as unknown,
    createdAt: l.createdAt,
    updatedAt: l.updatedAt,
  };
}

export function hrDestinationsApi(deps: HrDestinationDeps) {
  const app = destinationRoutes({
    what: "HR destination",
    letterWhat: "dead letter",
    createBody: createHrDestinationBody,
    patchBody: patchHrDestinationBody,
    list: () => listHrDestinations(deps),
    known: (id) => getHrDestination(deps, id),
    view: (d) => viewHrDestination(deps, d),
    create: (actor, body) => createHrDestination(deps, actor, body),
    update: (actor, id, body) => updateHrDestination(deps, actor, id, body),
    remove: (actor, id) => deleteHrDestination(deps, actor, id),
    deadLetters: (id, filter) => deps.store.hrDestinations.deadLetters(id, filter),
    letterJson: hrDeadLetterJson,
    retry: async (actor, id, letter) => {
      const outcome = await retryHrDeadLetter(deps, actor, id, letter);
      return { ...hrDeadLetterJson(outcome.letter), outcome: outcome.outcome };
    },
  });

  /** Test connection: 200 either way, `ok` says whether the HR system took the URL and credentials. */
  app.post("/:id/test", async (c) => c.json(await testHrDestination(deps, c.get("actor"), pathId(c.req.param("id"), "HR destination"))));

  return app;
}
