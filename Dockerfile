# syntax=docker/dockerfile:1
# Multi-stage build of the wa-hub fat jar; the runtime image is a JRE with a non-root user and a
# data volume (embedded PostgreSQL lives under /data unless HUB_DB_URL points elsewhere).

FROM maven:3.9-eclipse-temurin-17 AS build
WORKDIR /src
COPY pom.xml ./
COPY hub/pom.xml hub/
COPY verticles/pom.xml verticles/
COPY bench/pom.xml bench/
# resolve dependencies in their own layer so source edits do not re-download them
RUN mvn -B -q -pl verticles -am dependency:go-offline
COPY hub hub
COPY verticles verticles
COPY conf conf
RUN mvn -B -q -pl verticles -am -DskipTests package

FROM eclipse-temurin:17-jre
RUN groupadd --system wahub && useradd --system --gid wahub --home-dir /data --shell /usr/sbin/nologin wahub \
    && mkdir -p /data /app && chown wahub:wahub /data
COPY --from=build /src/verticles/target/wa-hub.jar /app/wa-hub.jar
USER wahub
WORKDIR /data
ENV HUB_DATA_DIR=/data \
    HUB_HTTP_PORT=8080 \
    HUB_LOG_FORMAT=json
VOLUME ["/data"]
EXPOSE 8080
HEALTHCHECK --interval=15s --timeout=3s --start-period=30s --retries=3 \
  CMD ["java", "-cp", "/app/wa-hub.jar", "org.wahub.Probe", "http://127.0.0.1:8080/health/ready"]
# exec form: the JVM is PID 1 and receives SIGTERM itself, for a graceful stop
ENTRYPOINT ["java", "-XX:MaxRAMPercentage=75", "-jar", "/app/wa-hub.jar"]
