// YAML task definition files, parsed with the yaml package: a module of its own so that the action
// loads the parser only for a YAML file.
import { parseDocument } from 'yaml';
import { UserError } from '../../lib/errors.ts';
import { fromDocument, withoutBom } from './source.ts';
import type { TaskDefinitionSource } from './types.ts';

export function fromYamlText(text: string, fileName: string): TaskDefinitionSource {
  const document = parseDocument(withoutBom(text), { merge: true, prettyErrors: true });
  const [error] = document.errors;
  if (error) {
    // The first line of a pretty error ends "at line L, column C:", before a code excerpt.
    const [first = error.code] = error.message.split('\n');
    throw new UserError(`${fileName} is not valid YAML: ${first.replace(/:$/, '')}. Fix the file.`);
  }
  return fromDocument(document.toJS({ maxAliasCount: 100 }) as unknown, fileName);
}
