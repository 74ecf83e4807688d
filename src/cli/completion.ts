import { Argument, type Command } from 'commander';
import { SyncgateError } from '../errors/index.js';

/** Commands (space-joined path, '' for the root) and their flags and subcommands. */
interface Node {
  path: string;
  flags: string[];
  subcommands: string[];
}

function nodes(program: Command): Node[] {
  const out: Node[] = [];
  const walk = (cmd: Command, path: string): void => {
    const flags = cmd.options.filter((o) => !o.hidden).flatMap((o) => [o.short, o.long].filter((f): f is string => f !== undefined));
    out.push({ path, flags: [...flags, '--help'], subcommands: cmd.commands.map((c) => c.name()) });
    for (const sub of cmd.commands) walk(sub, path ? `${path} ${sub.name()}` : sub.name());
  };
  walk(program, '');
  return out;
}

/** A bash completion script (also sourced by zsh's bashcompinit) for every command and flag. */
export function bashCompletion(program: Command): string {
  const cases = nodes(program)
    .map((n) => `    '${n.path}') words_="${[...n.subcommands, ...n.flags].join(' ')}" ;;`)
    .join('\n');
  return `# syncgate bash completion: source <(syncgate completion bash)
_syncgate() {
  local cur path_ w words_ i
  cur="\${COMP_WORDS[COMP_CWORD]}"
  path_=""
  for ((i = 1; i < COMP_CWORD; i++)); do
    w="\${COMP_WORDS[i]}"
    case "$w" in -*) continue ;; esac
    case " $(_syncgate_subs "$path_") " in *" $w "*) path_="\${path_:+$path_ }$w" ;; esac
  done
  case "$path_" in
${cases}
    *) words_="" ;;
  esac
  COMPREPLY=($(compgen -W "$words_" -- "$cur"))
  [[ \${#COMPREPLY[@]} -eq 0 && "$cur" != -* ]] && COMPREPLY=($(compgen -f -- "$cur"))
  return 0
}
_syncgate_subs() {
  case "$1" in
${nodes(program)
  .map((n) => `    '${n.path}') echo "${n.subcommands.join(' ')}" ;;`)
  .join('\n')}
  esac
}
complete -F _syncgate syncgate
`;
}

/** A zsh completion script: bash's, through bashcompinit. */
export function zshCompletion(program: Command): string {
  return `# syncgate zsh completion: source <(syncgate completion zsh)
autoload -U +X bashcompinit && bashcompinit
${bashCompletion(program).split('\n').slice(1).join('\n')}`;
}

/** A fish completion script: subcommands after their parent, flags per command. */
export function fishCompletion(program: Command): string {
  const lines = ['# syncgate fish completion: syncgate completion fish | source', 'complete -c syncgate -f'];
  for (const n of nodes(program)) {
    const words = n.path.split(' ').filter(Boolean);
    const cond = words.length === 0 ? '__fish_use_subcommand' : words.map((w) => `__fish_seen_subcommand_from ${w}`).join('; and ');
    for (const s of n.subcommands) lines.push(`complete -c syncgate -n '${cond}' -a ${s}`);
    for (const f of n.flags) {
      if (f.startsWith('--')) lines.push(`complete -c syncgate -n '${cond}' -l ${f.slice(2)}`);
      else lines.push(`complete -c syncgate -n '${cond}' -s ${f.slice(1)}`);
    }
  }
  return `${lines.join('\n')}\n`;
}

/** `syncgate completion <shell>`: prints the shell completion script. */
export function registerCompletion(program: Command): void {
  program
    .command('completion')
    .description('print a shell completion script: source <(syncgate completion bash)')
    .addArgument(new Argument('<shell>', 'bash, zsh or fish').choices(['bash', 'zsh', 'fish']))
    .action(async (shell: string) => {
      // The whole program, whichever command this process registered.
      const { buildProgram } = await import('./program.js');
      const full = buildProgram();
      const text = shell === 'bash' ? bashCompletion(full) : shell === 'zsh' ? zshCompletion(full) : shell === 'fish' ? fishCompletion(full) : undefined;
      if (text === undefined) throw new SyncgateError('USAGE_INVALID', `completion: unknown shell ${JSON.stringify(shell)}`);
      process.stdout.write(text);
    });
}
