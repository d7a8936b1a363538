// Generates generated/<service>.ts (openapi-typescript) from generated/<service>.openapi.json, in one process.
import { readFileSync, writeFileSync } from "node:fs";
import openapiTS, { astToString } from "openapi-typescript";

for (const service of process.argv.slice(2)) {
  const schema = JSON.parse(readFileSync(`generated/${service}.openapi.json`, "utf8"));
  // A property with a default is optional to send: without this, request bodies would demand it.
  const ast = await openapiTS(schema, { defaultNonNullable: false });
  writeFileSync(`generated/${service}.ts`, astToString(ast));
}
