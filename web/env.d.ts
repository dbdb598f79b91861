/** Style sheets are bundled by scripts/build-web.ts; importing one only adds it to app.css. */
declare module "*.css";
