#!/bin/sh
# Entry point of the topic-alert image: runs its command (`topic-alert run …`) as the image's
# unprivileged user 10001, with the data directory writable by that user.
#
# Started as root (Docker's default), it first gives the data directory, and whatever in it
# another user owns, to that user: a named volume first filled by another container, or a
# bind-mounted directory the Docker daemon created, belongs to root, and the bot could not
# create its database there. Then it drops root for good (setpriv, from util-linux: no gosu).
# Started as any other user (`docker run --user`, rootless Docker, a runAsUser), it runs the
# command as it is.
#
# TOPIC_ALERT_DATA_DIR: the data directory (default /data, the image's volume).
set -eu

data_dir=${TOPIC_ALERT_DATA_DIR:-/data}
user=10001

if [ "$(id -u)" -ne 0 ]; then
    exec "$@"
fi
# Only what is not the user's yet, so a restart costs nothing. A file that cannot change hands
# (a config file bind-mounted read-only into the directory) is named on stderr and left as it is.
if ! find "$data_dir" \( ! -user "$user" -o ! -group "$user" \) -exec chown "$user:$user" {} +; then
    echo "docker-entrypoint: some of $data_dir could not be given to user $user (see above)" >&2
fi
exec setpriv --reuid="$user" --regid="$user" --clear-groups --inh-caps=-all \
    --bounding-set=-all --no-new-privs -- "$@"
