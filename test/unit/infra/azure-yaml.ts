/**
 * Reads the small azure.yaml this repository keeps, with line rules instead of a YAML library (none is
 * installed): two-space indentation, `key: value` scalars, no flow collections or anchors. Anything else is
 * reported as an error rather than guessed at.
 */
export interface AzureYamlService {
  name: string;
  project: string;
  language: string;
  host: string;
}

export interface AzureYaml {
  name: string;
  infra: Record<string, string>;
  services: AzureYamlService[];
  /** The first (only) service's name. */
  serviceName: string;
}

interface Line {
  indent: number;
  key: string;
  value: string;
  number: number;
}

export function readAzureYaml(text: string): AzureYaml {
  const lines = parseLines(text);
  const top = (key: string) => lines.find((line) => line.indent === 0 && line.key === key);
  const childrenOf = (parent: Line | undefined): Line[] => {
    if (!parent) return [];
    const start = lines.indexOf(parent) + 1;
    const end = lines.findIndex((line, index) => index >= start && line.indent <= parent.indent);
    const block = lines.slice(start, end === -1 ? undefined : end);
    const childIndent = block[0]?.indent;
    return block.filter((line) => line.indent === childIndent);
  };
  const scalars = (parent: Line | undefined) =>
    Object.fromEntries(childrenOf(parent).map((line) => [line.key, line.value]));
  const services = childrenOf(top('services')).map((service) => {
    const fields = scalars(service);
    return {
      name: service.key,
      project: fields['project'] ?? '',
      language: fields['language'] ?? '',
      host: fields['host'] ?? '',
    };
  });
  return {
    name: top('name')?.value ?? '',
    infra: scalars(top('infra')),
    services,
    serviceName: services[0]?.name ?? '',
  };
}

function parseLines(text: string): Line[] {
  const lines: Line[] = [];
  text.split('\n').forEach((raw, index) => {
    const withoutComment = raw.replace(/(^|\s)#.*$/, '').trimEnd();
    if (!withoutComment.trim()) return;
    const match = /^( *)([A-Za-z0-9_.-]+):(?: +(.*))?$/.exec(withoutComment);
    if (!match) throw new Error(`azure.yaml:${index + 1}: not a "key: value" line this reader understands: ${raw}`);
    const indent = (match[1] as string).length;
    if (indent % 2 !== 0) throw new Error(`azure.yaml:${index + 1}: indentation is not a multiple of two spaces`);
    const value = (match[3] ?? '').trim().replace(/^(['"])(.*)\1$/, '$2');
    if (/^[[{&*|>]/.test(value))
      throw new Error(`azure.yaml:${index + 1}: flow collections, anchors and block scalars are not supported here`);
    lines.push({ indent, key: match[2] as string, value, number: index + 1 });
  });
  return lines;
}
