// Worker-thread entry of the task pool when running from the compiled bundle (dist/worker.js,
// built by `npm run build`): the task code is already JavaScript, so unlike worker.mjs it needs
// no TypeScript loader. Tinypool calls the default export.
export { runTask as default } from "./task.ts";
