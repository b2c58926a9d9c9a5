// The `images` input: `container=image` per line; a line with no `=` is the image of a definition
// that has one container.
import { UserError } from '../../../lib/errors.ts';
import { imageReferenceProblem } from './image-reference.ts';
import { inputLines, lineError } from './line-grammar.ts';
import { isContainerName } from '../../../ecs/task-definition/source.ts';
import type { ImageOverride } from '../../../ecs/task-definition/types.ts';

const INPUT = 'images';
const EXPECTED = 'container=image (or only image, for a definition with one container)';

export function parseImages(text: string): ImageOverride[] {
  const images: ImageOverride[] = [];
  const seen = new Set<string | undefined>();
  for (const line of inputLines(text)) {
    // Image references never contain '=', so the first one ends the container name.
    const equals = line.text.indexOf('=');
    const container = equals < 0 ? undefined : line.text.slice(0, equals).trim();
    const image = (equals < 0 ? line.text : line.text.slice(equals + 1)).trim();
    if (container !== undefined && !isContainerName(container)) {
      throw lineError(
        INPUT,
        line,
        `'${container}' is not a container name (letters, digits, '-' and '_'); expected ${EXPECTED}`,
      );
    }
    const problem = imageReferenceProblem(image);
    if (problem) throw lineError(INPUT, line, `${problem}; expected ${EXPECTED}`);
    if (seen.has(container)) {
      throw lineError(
        INPUT,
        line,
        container === undefined
          ? 'a second image without a container name: write container=image on every line'
          : `container '${container}' already has an image on an earlier line`,
      );
    }
    seen.add(container);
    images.push(container === undefined ? { image } : { container, image });
  }
  if (seen.has(undefined) && seen.size > 1) {
    throw new UserError(
      `Input '${INPUT}' mixes a line without a container name with container=image lines: name the container on every line.`,
    );
  }
  return images;
}
