# zsh -f complete.zsh SCRIPT LINE prints, one per line, the candidates that zsh's
# completion system offers for LINE (tab pressed at its end) with SCRIPT loaded.
# It runs an interactive zsh in a pseudo-terminal; the completion test uses it.
# With ZCOMPDUMP set, compinit reads (or first writes) that dump instead of scanning
# every completion function each time.
zmodload zsh/zpty || exit 2
zpty z zsh -f -i
# Only the completion functions compinit needs, where they are split by kind (faster).
zpty -w z 'PROMPT= RPROMPT= ; unsetopt zle_bracketed_paste 2>/dev/null; fp=(${(M)fpath:#*/Completion(|/Base|/Zsh|/Unix)}); (( $#fp )) && fpath=($fp); autoload -Uz compinit && if [[ -n $ZCOMPDUMP ]]; then compinit -u -C -d $ZCOMPDUMP; else compinit -u -D; fi'
zpty -w z "source ${(q)1}"
zpty -w z '_t_mark() { print -r -- "@@MA""RK@@" }; compprefuncs=(_t_mark); comppostfuncs=(_t_mark exit)'
zpty -w z 'compadd() { if [[ ${@[1,(i)(-|--)]} == *-(O|A|D)\ * ]]; then builtin compadd "$@"; return; fi; local -a __hits; builtin compadd -O __hits "$@"; (( $#__hits )) && print -rl -- "@@ "${^__hits}; builtin compadd "$@" }'
zpty -w z 'bindkey "^I" complete-word'
zpty -w -n z "$2"$'\t'
integer marks=0
while zpty -r z line; do
    line=${line%$'\r\n'}; line=${line%$'\n'}; line=${line%$'\r'}
    [[ $line == *@@MARK@@* ]] && (( marks++ ))
    [[ $line == '@@ '* ]] && print -r -- ${line#@@ }
done
# The marks are printed before and after completion: without them it never ran.
(( marks >= 2 )) || { print -u2 "zsh did not complete the line"; exit 1 }
