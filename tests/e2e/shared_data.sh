#!/bin/sh
# shared_data.sh BIN DATA_DIR
#
# Real public access logs (../shared/data, see its SOURCES.md): each file is analysed
# with the format its table names, and must give exactly the rejected lines listed here
# (lines that are not access-log lines, as SOURCES.md describes them) and no others.
# Skips, with a message, when the data folder is absent (a user's clone has none).
set -u
bin=$1 data=$2
if [ ! -d "$data" ]; then
	echo "skip: $data is absent (the shared test data only exists in the project's workspace)"
	exit 77 # skipped (ctest SKIP_RETURN_CODE)
fi
fail=0
# file | format | lines | attempts | rejected line numbers (space-separated, - for none)
while IFS= read -r row; do
	case "$row" in '' | \#*) continue ;; esac
	# the format may itself hold '|' (a regex): split off the first field and the last three
	file=${row%%|*} rest=${row#*|}
	rej=${rest##*|} rest=${rest%|*}
	attempts=${rest##*|} rest=${rest%|*}
	lines=${rest##*|} fmt=${rest%|*}
	out=$("$bin" analyze --quiet --output json --format "$fmt" "$data/$file" 2>&1) || {
		echo "FAIL: $file: exit $?: $out"
		fail=1
		continue
	}
	got=$(printf '%s\n' "$out" | tr -d ' \n' | sed -n 's/.*"lines":\([0-9]*\).*"attempts":\([0-9]*\),"success".*/\1 \2/p')
	gotrej=$(printf '%s\n' "$out" | tr -d ' \n' | grep -o '"line":[0-9]*' | cut -d: -f2 | tr '\n' ' ' | sed 's/ $//')
	[ -z "$gotrej" ] && gotrej=-
	if [ "$got" = "$lines $attempts" ] && [ "$gotrej" = "$rej" ]; then
		echo "ok: $file ($fmt): $lines lines, $attempts attempts, rejected: $rej"
	else
		echo "FAIL: $file ($fmt): got lines/attempts '$got' rejected '$gotrej', want '$lines $attempts' rejected '$rej'"
		fail=1
	fi
done <<'TABLE'
elastic-examples/apache_logs|combined|10000|10000|-
nielsbasjes-logparser/access_log.gz|combined|17|16|2
nielsbasjes-logparser/hackers-access.log|combined|3456|3456|-
lnav/logfile_access_log.0|combined|3|3|-
lnav/logfile_access_log.1|combined|1|1|-
# line 2 lacks the ident and user fields (SOURCES.md: "a malformed line between good ones")
lnav/logfile_bad_access_log.0|combined|3|2|2
lnav/logfile_shop_access_log.0|combined|1000|1000|-
crowdsec-hub/apache-http-probing.log|common|77|77|-
crowdsec-hub/apache2-malformed.log|combined|11|11|-
crowdsec-hub/http-dos-switching-ua.log|combined|15|15|-
crowdsec-hub/http-wordpress_user-enum.log|combined|12|12|-
crowdsec-hub/http_dos_bypass_cache.log|combined|356|356|-
crowdsec-hub/http_dos_random_uri.log|combined|66|66|-
crowdsec-hub/litespeed-http-sensitive-files.log|combined|6|6|-
crowdsec-hub/nginx-http-malformed.log|combined|12|12|-
elastic-beats/nginx-access-test.log|combined|7|7|-
elastic-beats/nginx-access.log|combined|13|13|-
elastic-beats/nginx-test-with-host.log|vcombined|10|10|-
alp/combined_access.log|combined|14|14|-
peers/elastic-beats/apache-access-test.log|combined|7|7|-
peers/elastic-beats/apache-access-darwin-2.4.23.log|common|6|6|-
# 10 lines and a blank one
peers/elastic-beats/nginx-access-test.log|combined|11|10|-
peers/mtail/apache-combined.log|combined|5|5|-
peers/goaccess/ci-vcombined-access.log|vcombined|4|4|-
peers/crowdsec-hub/actual-budget-logs.log|combined|9|9|-
peers/crowdsec-hub/calibre-web-logs.log|combined|16|16|-
peers/crowdsec-hub/jellyfin-logs.log|combined|5|5|-
peers/crowdsec-hub/jellyseerr-logs.log|combined|5|5|-
peers/crowdsec-hub/nextcloud-whitelist.log|combined|19|18|-
peers/crowdsec-hub/rocketchat-whitelist.log|combined|3|3|-
peers/crowdsec-hub/cve_2022_37042.log|combined|2|2|-
peers/crowdsec-hub/CVE-2022-40684.log|combined|1|1|-
# lines 1 and 3 are LiteSpeed error-log lines around one access line
peers/crowdsec-hub/litespeed-logs.log|combined|3|1|1 3
peers/crowdsec-hub/http-dos-invalid-http-versions.log|combined|6|6|-
peers/crowdsec-hub/apache_log4j2_cve-2021-44228.log|combined|5|3|-
peers/crowdsec-hub/nginx-http-sqli-probing.log|combined|16|16|-
peers/crowdsec-hub/nginx-http-xss-probing.log|combined|26|26|-
peers/crowdsec-hub/CVE-2022-26134.log|combined|2|2|-
peers/crowdsec-hub/CVE-2024-38475.log|combined|12|12|-
# line 1 is an Apache error-log line
peers/crowdsec-hub/apache-cve-2021-41773.log|common|3|2|1
peers/crowdsec-hub/nginx-proxy-manager-malformed.log|combined|12|12|-
peers/nielsbasjes-logparser/dual-format-access.log|combined|2|2|-
peers/nielsbasjes-logparser/pigloader-access.log|combined|2|2|-
peers/elastic-beats/apache-access-test-vhost.log|apache:%v %h %l %u %t "%r" %>s %b "%{Referer}i" "%{User-Agent}i"|1|1|-
# mod_ssl's request log has no status: attempts with status null
peers/elastic-beats/apache-access-ssl-request.log|apache:%t %h %{SSL_PROTOCOL}x %{SSL_CIPHER}x "%r" %b|2|2|-
peers/mtail/apache-common.log|apache:%h %l %u %t "%r" %>s %b %D "%{Referer}i" "%{User-agent}i"|3|3|-
peers/mtail/lighttpd_access.log|apache:%{X-Forwarded-For}i %h %u %t "%r" %>s %b %I %O %T "%{Referer}i" "%{User-Agent}i"|19|19|-
peers/nielsbasjes-logparser/inputformat-access.log|apache:%h %l %u %t "%r" %>s %O "%{%D %F %R %T %r %a %A %b %B %C %d %G %h %H %I %j %k %l %m %M %p %S %u %Y %z}t" "%{User-Agent}i"|1|1|-
peers/crowdsec-hub/spring4shell_cve-2022-22965.log|nginx:$host $remote_addr - $remote_user [$time_local] "$request" $status $body_bytes_sent "$http_referer" "$http_user_agent" "$http_x_forwarded_for"|2|2|-
# lines 5-6 are two other Nginx Proxy Manager formats (peers/SOURCES.md)
peers/crowdsec-hub/nginx_http-catch-npm.log|nginx:[$time_local] $host $remote_addr $request_time "$request" $status $body_bytes_sent $bytes_sent $http_referer $http_user_agent|6|4|5 6
# line 14 has one more field ("-") before $request_time than the other 13
alp/combined_access.log|nginx:$remote_addr - $remote_user [$time_local] "$request" $status $body_bytes_sent "$http_referer" "$http_user_agent" "$http_x_forwarded_for" $request_time|14|13|14
lnav/logfile_shop_access_log.0|nginx:$remote_addr - $remote_user [$time_local] "$request" $status $body_bytes_sent "$http_referer" "$http_user_agent" "$http_x_forwarded_for"|1000|1000|-
elastic-beats/nginx-ingress-controller-test.log|nginx:$remote_addr - $remote_user [$time_local] "$request" $status $body_bytes_sent "$http_referer" "$http_user_agent" $request_length $request_time [$proxy_upstream_name] [$proxy_alternative_upstream_name] $upstream_addr $upstream_response_length $upstream_response_time $upstream_status $req_id|29|29|-
lnav/logfile_regexp_access_log.0|apache:%v:%p %h %l %u %t "%r" %>s %b "%{Referer}i" "%{User-Agent}i" %D|2|2|-
crowdsec-hub/bunkerweb-logs.log|nginx:$host $remote_addr - $request_id $remote_user [$time_local] "$request" $status $body_bytes_sent "$http_referer" "$http_user_agent"|5|5|-
aws-log-parser/loadbalancer_cloudfront_forward.csv|alb|1|1|-
aws-log-parser/loadbalancer_http2_entry.csv.gz|alb|1|1|-
aws-log-parser/loadbalancer_http2_entry_auth_error.csv|alb|1|1|-
aws-log-parser/loadbalancer_https_entry.csv|alb|1|1|-
aws-log-parser/loadbalancer_lambda_failed_entry.csv|alb|1|1|-
aws-log-parser/loadbalancer_secured_websockets_entry.csv|alb|1|1|-
crowdsec-hub/aws-alb-http-bad-user-agent.log|alb|4|4|-
crowdsec-hub/aws-alb-logs.log|alb|14|14|-
lnav/format-samples-alb_log.log|alb|5|5|-
# HAR files: lines are the text lines read (a minified HAR is 1), attempts one per entry.
# brokenfile.har is invalid JSON: one rejected document, sampled at its last line (5).
mitmproxy/brokenfile.har|har|5|0|5
mitmproxy/charles.har|har|122|1|-
mitmproxy/chrome.har|har|715|3|-
mitmproxy/error_log.har|har|172|2|-
mitmproxy/firefox.har|har|1674|14|-
mitmproxy/head-content-length.har|har|179|1|-
mitmproxy/incomplete_log.har|har|199|4|-
mitmproxy/insomnia.har|har|118|1|-
mitmproxy/postdata.har|har|189|1|-
mitmproxy/safari.har|har|2057|19|-
mitmproxy/successful_log.har|har|201|2|-
mitmproxy/with-bom.har|har|189|1|-
pagexray/arcelormittal.com.har|har|1|40|-
pagexray/expressen.har|har|1|607|-
pagexray/frontendredirect.har|har|1163|12|-
pagexray/http2-firefox.har|har|1451|10|-
pagexray/responseCodes-304.har|har|1|270|-
pagexray/www.nytimes.com.har|har|1|328|-
peers/pollyjs/github-api-client-getUser.har|har|191|1|-
peers/pollyjs/jest-puppeteer-navigate-all-routes.har|har|896|5|-
# JSON lines, profiles named or found by auto (with the CRI wrapper around Envoy)
alp/json_access.log|json|14|14|-
lnav/logfile_caddy_log.1|json:caddy|4|4|-
# docker compose output: 35 startup and info records (skipped, not rejected), 4 access
lnav/logfile_caddy_log.0|auto|39|4|-
# a blank line and a reverse_proxy debug record (skipped)
crowdsec-hub/caddy-logs.log|json:caddy|12|10|-
peers/crowdsec-hub/caddy-basic-auth-bf.log|auto|6|6|-
# line 6 is a Traefik plugin's debug line, not JSON
crowdsec-hub/traefik_json.log|json:traefik|7|6|6
crowdsec-hub/traefik_base-http-scenario.log|auto|80|80|-
lnav/logfile_cloudflare.1|json:cloudflare|15|15|-
lnav/logfile_cloudflare.json|auto|1|1|-
crowdsec-hub/envoy-http-crawl-non_statics.log|auto|41|41|-
# lines 4, 5, 9 and 10 are Envoy's default text format inside the same CRI wrapper
crowdsec-hub/envoy.log|auto|10|6|4 5 9 10
# regex: for what has no built-in format: Traefik's CLF (+ request count, router,
# backend, duration in ms; two blank lines at the end) and uWSGI's request log (asctime
# times, msecs or micros)
crowdsec-hub/traefik_clf.log|regex:^(?<remote_addr>\S+) \S+ \S+ \[(?<time_start>[^\]]+)\] "(?<request>[^"]*)" (?<status>\d{3}|-) (?<bytes>\d+|-) "(?<referer>[^"]*)" "(?<user_agent>[^"]*)" \d+ "[^"]*" "[^"]*" (?<duration_ms>\d+)ms$|9|7|-
lnav/logfile_uwsgi.0|regex:^\[pid: \d+\|app: [-\d]+\|req: [-\d]+/\d+\] (?<remote_addr>\S+) \(\S*\) \{\d+ vars in \d+ bytes\} \[(?<time>[^\]]+)\] (?<method>\S+) (?<target>\S+) => generated (?<bytes>\d+) bytes in (?:(?<duration_ms>\d+) msecs|(?<duration_us>\d+) micros) \(HTTP/[\d.]+ (?<status>\d{3})\)|19|19|-
TABLE
exit $fail
