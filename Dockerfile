# cartsync as a container image (docs/operations.md, "Deploy").
#
#   docker build -t cartsync .
#   docker run --rm cartsync --version
#   docker run --rm -v "$PWD:/project:ro" -e CARTSYNC_WMS_TOKEN … cartsync run --due /project
#
# Two stages: the build stage compiles on Debian bookworm and installs into a
# staging prefix; the runtime stage is debian:bookworm-slim with only the
# shared libraries the binary needs, and runs as the unprivileged user
# cartsync (uid 10001). Every step is tools/scripts/docker-build-steps.sh,
# which CI runs too (tests/tools/deploy_check.sh): change the steps there.
#
# The project (cartsync.toml, carts.d/) is not in the image: mount it (a
# volume, a Kubernetes ConfigMap) or add it in an image of your own
# (`FROM cartsync` + `COPY --chown=root:root project/ /project/`). State: a
# postgres:// [state].url for anything but a single host; a sqlite: file
# needs a writable volume (/var/lib/cartsync is the user's home).

FROM debian:bookworm AS build
COPY tools/scripts/docker-build-steps.sh /usr/local/sbin/docker-build-steps.sh
RUN /usr/local/sbin/docker-build-steps.sh build-deps
COPY . /src
RUN BUILD_DIR=/tmp/build /usr/local/sbin/docker-build-steps.sh build /src /staging/usr/local

FROM debian:bookworm-slim AS runtime
COPY tools/scripts/docker-build-steps.sh /usr/local/sbin/docker-build-steps.sh
RUN /usr/local/sbin/docker-build-steps.sh runtime-deps \
 && /usr/local/sbin/docker-build-steps.sh user \
 && rm /usr/local/sbin/docker-build-steps.sh
COPY --from=build /staging/usr/local/ /usr/local/
USER 10001:10001
WORKDIR /var/lib/cartsync
ENV TMPDIR=/tmp
ENTRYPOINT ["/usr/local/bin/cartsync"]
CMD ["--help"]
