# bash completion for retrylens                                 -*- shell-script -*-
#
# Installed as share/bash-completion/completions/retrylens (bash-completion loads it
# the first time "retrylens <TAB>" is typed), or sourced by hand. The options are those
# of each command's table (cmd/cmd_*.c, cmd/cli.h) and of its --help: tests/e2e/install.sh
# fails when an option of a --help is missing here. Works with bash-completion's helpers
# when they are loaded, and with plain bash when not.

_retrylens_commands='analyze ingest report merge split prune policies check-format version help'

# The options of each command, as its --help lists them.
_retrylens_options()
{
	local input='--format --log-format-file --log-format-name --field --client --trusted-proxy --max-line'
	local retry='--policy --retry-window --max-lag --clock-skew --jobs'
	local output='--output -o --table --top --since --until --by --fail-on'
	case $1 in
	analyze) echo "$input $retry $output --quiet --help" ;;
	ingest) echo "--db $input $retry --flush-every --shard --wait --quiet --help" ;;
	report) echo "--db --policy $output --help" ;;
	merge) echo "--db --wait --quiet --help" ;;
	split) echo "--shards --out $input --quiet --help" ;;
	prune) echo "--db --older-than --wait --quiet --help" ;;
	policies) echo "--help" ;;
	check-format) echo "$input --lines --show --help" ;;
	esac
}

# The built-in policies (lib/policies/*.json; 'retrylens policies' lists them).
_retrylens_policies='aws-full-jitter default google-cloud grpc leadey leaperone'

# Completes $cur with file names (and directories) matching the extended glob $1 (or
# every file), added to COMPREPLY.
_retrylens_files()
{
	if declare -F _filedir >/dev/null; then
		_filedir "$1" # bash-completion's: reads $cur
	else
		local IFS=$'\n' f
		compopt -o filenames 2>/dev/null
		for f in $(compgen -f -- "$cur"); do
			if [[ -z $1 || -d $f ]]; then
				COMPREPLY+=("$f")
			else
				# shellcheck disable=SC2053
				[[ $f == *.$1 ]] && COMPREPLY+=("$f")
			fi
		done
	fi
}

# Completes $cur with directory names, added to COMPREPLY.
_retrylens_dirs()
{
	if declare -F _filedir >/dev/null; then
		_filedir -d
	else
		local IFS=$'\n' d
		compopt -o filenames 2>/dev/null
		for d in $(compgen -d -- "$cur"); do
			COMPREPLY+=("$d")
		done
	fi
}

# COMPREPLY = the words of $1 that start with $cur.
_retrylens_words()
{
	local IFS=$' \t\n'
	COMPREPLY+=($(compgen -W "$1" -- "$cur"))
}

_retrylens()
{
	COMPREPLY=()
	local cword=$COMP_CWORD i
	# The current word and the one before it as the shell splits them: readline also
	# splits at '=' and ':' (COMP_WORDBREAKS), so "--format=json:en" is one word here
	# and three in COMP_WORDS.
	local line
	if [[ -n ${COMP_LINE-} ]]; then
		line=${COMP_LINE:0:COMP_POINT}
	else
		line="${COMP_WORDS[*]:0:cword+1}"
	fi
	local cur=${line##*[[:space:]]}
	local before=${line%"$cur"}
	before=${before%"${before##*[![:space:]]}"} # trailing blanks trimmed
	local prev=${before##*[[:space:]]}

	# the command: the first word after "retrylens" that is not an option
	local cmd=''
	for ((i = 1; i < cword; i++)); do
		case ${COMP_WORDS[i]} in
		-* | = | :) ;;
		*)
			cmd=${COMP_WORDS[i]}
			break
			;;
		esac
	done
	if [[ -z $cmd ]]; then
		if [[ $cur == -* ]]; then
			_retrylens_words '--help --version'
		else
			_retrylens_words "$_retrylens_commands"
		fi
		return 0
	fi

	# --opt=VALUE is completed as "--opt VALUE"
	local opt=$prev
	if [[ $cur == --*=* ]]; then
		opt=${cur%%=*}
		cur=${cur#*=}
	fi
	# readline replaces only what follows the last '=' or ':' of the word: what comes
	# before it in $cur is taken off the completions (as bash-completion's
	# __ltrim_colon_completions does)
	local rl=${COMP_WORDS[cword]}
	[[ $rl == [=:] ]] && rl=''
	local keep=${cur%"$rl"}

	case $opt in
	--output) _retrylens_words 'text json csv markdown html prometheus' ;;
	--table) _retrylens_words 'status endpoints clients sdks errors timeline storms' ;;
	--by) _retrylens_words 'minute hour day' ;;
	--format)
		_retrylens_words 'auto combined common vcombined alb json json:nginx json:caddy json:envoy
			json:traefik json:cloudflare trace har nginx: apache: regex:'
		[[ ${#COMPREPLY[@]} -eq 1 && ${COMPREPLY[0]} == *: ]] && compopt -o nospace 2>/dev/null
		;;
	--policy)
		_retrylens_words "$_retrylens_policies"
		_retrylens_files json
		;;
	--db) _retrylens_files db ;;
	--log-format-file) _retrylens_files conf ;;
	--out) _retrylens_dirs ;;
	-o) _retrylens_files '' ;;
	--since | --until) _retrylens_words 'today yesterday 1h 24h 7d 30d' ;;
	--older-than) _retrylens_words '7d 30d 90d' ;;
	--field | --client | --trusted-proxy | --top | --fail-on | --max-line | --retry-window | \
		--max-lag | --clock-skew | --flush-every | --wait | --lines | --show | --jobs | --shard | \
		--shards) ;; # the user's own value
	*)
		if [[ $cur == -* ]]; then
			_retrylens_words "$(_retrylens_options "$cmd")"
		else
			case $cmd in
			policies)
				_retrylens_words "$_retrylens_policies"
				_retrylens_files json
				;;
			merge) _retrylens_files db ;; # the databases merged in
			report | prune | version | help) ;;
			*) _retrylens_files '' ;; # the input files
			esac
		fi
		;;
	esac
	if [[ -n $keep ]]; then
		for i in "${!COMPREPLY[@]}"; do
			COMPREPLY[i]=${COMPREPLY[i]#"$keep"}
		done
	fi
	return 0
} &&
	complete -F _retrylens retrylens

# ex: filetype=sh
