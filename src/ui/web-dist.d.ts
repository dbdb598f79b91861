/** web/dist (built by scripts/build-web.ts) is embedded as text by src/ui/assets.ts. */
declare module "*/web/dist/app.js" {
  const text: string;
  export default text;
}
declare module "*/web/dist/app.css" {
  const text: string;
  export default text;
}
