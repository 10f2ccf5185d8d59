
# bash completion for quan: the tables above come from the help pages
# (app/cli/help/NAME.txt via toolchain/help.awk), so completion offers what
# --help and quan(1) document. Installed as
# /usr/share/bash-completion/completions/quan.

_quan_value()
{
	local kind=$1 cur=$2
	case $kind in
	FILE | PEM | SCRIPT | PATH)
		compgen -f -- "$cur" ;;
	DIR)
		compgen -d -- "$cur" ;;
	SPEC)
		compgen -W 'camera:/dev/video image: evdev:/dev/input/event
		    serial:/dev/tty stdin' -- "$cur" ;;
	*'|'*)
		compgen -W "${kind//|/ }" -- "$cur" ;;
	esac
}

_quan()
{
	local cur prev words cword
	if declare -F _init_completion >/dev/null; then
		_init_completion || return
	else
		cur=${COMP_WORDS[COMP_CWORD]}
		prev=${COMP_WORDS[COMP_CWORD - 1]}
		words=("${COMP_WORDS[@]}")
		cword=$COMP_CWORD
	fi

	# the command and sub-command words, past the global options
	local i w cmd='' sub='' key
	for ((i = 1; i < cword; i++)); do
		w=${words[i]}
		case $w in
		--config | --data) ((i++)); continue ;;
		-*) continue ;;
		esac
		if [[ -z $cmd ]]; then
			cmd=$w
		elif [[ -z $sub && " ${_quan_subs[$cmd]} " == *" $w "* ]]; then
			sub=$w
		fi
	done

	case $prev in
	--config)
		COMPREPLY=($(compgen -f -- "$cur")); return ;;
	--data)
		COMPREPLY=($(compgen -d -- "$cur")); return ;;
	esac
	key=$cmd${sub:+ $sub}
	if [[ -n $cmd && -n ${_quan_args[$key $prev]-} ]]; then
		COMPREPLY=($(_quan_value "${_quan_args[$key $prev]}" "$cur"))
		return
	fi

	if [[ -z $cmd ]]; then
		if [[ $cur == -* ]]; then
			COMPREPLY=($(compgen -W '--config --data -v --verbose
			    --help --version' -- "$cur"))
		else
			COMPREPLY=($(compgen -W "$_quan_cmds help" -- "$cur"))
		fi
	elif [[ $cmd == help ]]; then
		COMPREPLY=($(compgen -W "$_quan_cmds config" -- "$cur"))
	elif [[ -n ${_quan_subs[$cmd]-} && -z $sub && $cur != -* ]]; then
		COMPREPLY=($(compgen -W "${_quan_subs[$cmd]}" -- "$cur"))
	elif [[ $cur == -* ]]; then
		COMPREPLY=($(compgen -W "${_quan_opts[$key]-} --config --data -v
		    --help" -- "$cur"))
	else
		COMPREPLY=($(compgen -f -- "$cur"))
	fi
} &&
	complete -F _quan quan
