// Containers benchmark against the sandboxed engine (GPUDECK_TEST_HOST), printing figures, never
// asserting on time (the targets in brackets):
//  1. 500 stopped containers (every fifth with a GPU request): the engine's list reply, the rows
//     from the list entries, then the records with their GPUs (inspects), and the model filled
//     and sorted [under 300 ms after the reply];
//  2. an engine event reaching its row: from the event's arrival to the row changed, median of
//     20 starts and kills [under 200 ms];
//  3. a container with a 1 GB log opened by its tail: the last 10,000 lines through the engine's
//     logs call (as a log tab and `gpudeck logs --tail` ask), the time and this process's peak
//     RSS, against `docker logs --tail 10000` of the same container [under 1 s, under 100 MB].
//   export GPUDECK_TEST_HOST=$(tests/scripts/test-engine.sh start /tmp/e | tail -n 1)
//   build/tests/containers/bench_containers      (GPUDECK_BENCH_CONTAINERS=500,
//                                                 GPUDECK_BENCH_LOG_MB=1024; 0 skips part 3)
#include "containers/ContainerLister.h"
#include "containers/ContainerWatch.h"
#include "engine/DockerClient.h"
#include "engine/EngineWatch.h"
#include "launch/DockerCreateBody.h"
#include "launch/LaunchSpec.h"

#include "engine/ContainerStream.h"
#include "engine/WaitCall.h"

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QEventLoop>
#include <QProcess>
#include <QSortFilterProxyModel>
#include <QTimer>

#include <algorithm>
#include <cstdio>

#include <sys/resource.h>

namespace {

const QString kImage = QStringLiteral("gpudeck-test:latest");

double median(QList<double> values)
{
    std::sort(values.begin(), values.end());
    return values.isEmpty() ? 0 : values.at(values.size() / 2);
}

// Runs the event loop until done() says so, or 120 s.
template <typename F> void waitFor(F done)
{
    QEventLoop loop;
    QTimer poll;
    QObject::connect(&poll, &QTimer::timeout, &loop, [&]() {
        if (done())
            loop.quit();
    });
    poll.start(1);
    QTimer::singleShot(120000, &loop, &QEventLoop::quit);
    if (!done())
        loop.exec();
}

} // namespace

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    std::setvbuf(stdout, nullptr, _IOLBF, 0);
    const QString host = qEnvironmentVariable("GPUDECK_TEST_HOST");
    if (host.isEmpty()) {
        std::fprintf(stderr, "GPUDECK_TEST_HOST is not set (see the file's header)\n");
        return 2;
    }
    const Result<Endpoint> endpoint = EndpointResolver::resolve(host);
    if (!endpoint) {
        std::fprintf(stderr, "%s\n", qPrintable(endpoint.error().message()));
        return 2;
    }
    DockerClient client(endpoint.value());
    const int count = qEnvironmentVariableIntValue("GPUDECK_BENCH_CONTAINERS") > 0
                          ? qEnvironmentVariableIntValue("GPUDECK_BENCH_CONTAINERS")
                          : 500;

    // 1. The stopped containers, made through the API a few at a time.
    QStringList ids;
    int created = 0, failures = 0;
    QObject calls;
    const auto createOne = [&](int i) {
        LaunchSpec spec;
        spec.image = kImage;
        spec.command = {QStringLiteral("true")};
        spec.networkMode = QStringLiteral("none");
        spec.autoRemove = false;
        if (i % 5 == 0)
            spec.gpus = GpuSelection::ofDevices({QString::number(i % 2)});
        client.createContainer(
            DockerCreateBody::build(spec, true),
            QStringLiteral("bench-%1-%2").arg(QCoreApplication::applicationPid()).arg(i), &calls,
            [&](const Result<QString> &id) {
                ++created;
                if (id)
                    ids << id.value();
                else
                    ++failures;
            });
    };
    QElapsedTimer timer;
    timer.start();
    for (int i = 0; i < count; i += 16) {
        const int batch = std::min(16, count - i);
        const int target = created + batch;
        for (int j = 0; j < batch; ++j)
            createOne(i + j);
        waitFor([&]() { return created >= target; });
    }
    std::printf("made %d stopped containers in %.1f s (%d failed)\n", int(ids.size()),
                timer.nsecsElapsed() / 1e9, failures);

    QList<double> replyMs, rowsMs, recordsMs, modelMs;
    for (int round = 0; round < 5; ++round) {
        bool replied = false;
        timer.restart();
        client.listContainers(true, {}, &calls, [&](const Result<QJsonArray> &entries) {
            replyMs << timer.nsecsElapsed() / 1e6;
            // What the view does with the reply before any inspect: rows, model, sort.
            QElapsedTimer rowsTimer;
            rowsTimer.start();
            QList<ContainerRecord> rows;
            for (const QJsonValue &entry : entries.valueOr({}))
                rows << ContainerRecord::fromListEntry(entry.toObject());
            ContainersModel model;
            QSortFilterProxyModel proxy;
            proxy.setSourceModel(&model);
            proxy.setSortRole(ContainersModel::SortRole);
            model.setRecords(rows);
            proxy.sort(ContainersModel::Name);
            rowsMs << rowsTimer.nsecsElapsed() / 1e6;
            replied = true;
        });
        waitFor([&]() { return replied; });

        QList<ContainerRecord> records;
        bool listed = false;
        timer.restart();
        ContainerLister::list(&client, true, &calls,
                              [&](const Result<QList<ContainerRecord>> &result) {
                                  listed = true;
                                  if (result)
                                      records = result.value();
                              });
        waitFor([&]() { return listed; });
        recordsMs << timer.nsecsElapsed() / 1e6;

        ContainersModel model;
        QSortFilterProxyModel proxy;
        proxy.setSourceModel(&model);
        proxy.setSortRole(ContainersModel::SortRole);
        timer.restart();
        model.setRecords(records);
        proxy.sort(ContainersModel::Name);
        modelMs << timer.nsecsElapsed() / 1e6;
    }
    std::printf("list of %d containers (medians of 5): engine reply %.1f ms; then rows from the "
                "list entries, in the model and sorted, %.2f ms; the records with the GPUs of "
                "each (an inspect each) %.1f ms from the request; those in the model and sorted "
                "%.2f ms [target: under 300 ms after the reply: rows %.2f ms, with GPUs %.1f "
                "ms]\n",
                int(ids.size()), median(replyMs), median(rowsMs), median(recordsMs),
                median(modelMs), median(rowsMs),
                median(recordsMs) - median(replyMs) + median(modelMs));

    // 2. Events to rows.
    EngineWatch watch(&client);
    ContainerWatch containers(&client, &watch);
    QElapsedTimer eventClock;
    eventClock.start();
    QHash<QString, qint64> arrived;
    QList<double> eventMs;
    QObject::connect(&watch, &EngineWatch::engineEvent, &calls, [&](const QJsonObject &event) {
        arrived.insert(
            event.value(QLatin1String("Actor")).toObject().value(QLatin1String("ID")).toString(),
            eventClock.nsecsElapsed());
    });
    QObject::connect(&containers, &ContainerWatch::containerUpdated, &calls,
                     [&](const QString &id) {
                         if (arrived.contains(id))
                             eventMs << (eventClock.nsecsElapsed() - arrived.take(id)) / 1e6;
                     });
    bool ready = false;
    QObject::connect(&containers, &ContainerWatch::listed, &calls, [&]() { ready = true; });
    watch.start();
    waitFor([&]() { return ready; });

    // Each start of a `true` container brings start and die; the latest event of the container is
    // timed to the row change it causes.
    const QString target = ids.value(1);
    for (int i = 0; i < (target.isEmpty() ? 0 : 10); ++i) {
        const qsizetype before = eventMs.size();
        const auto finished = [&]() {
            const int row = containers.model()->rowOf(target);
            return row < 0 ? QDateTime() : containers.model()->recordAt(row).finishedAt;
        };
        const QDateTime last = finished();
        client.startContainer(target, &calls, [](const Result<void> &) {});
        // Its row shows the new exit.
        waitFor([&]() { return eventMs.size() > before && finished() > last; });
    }
    std::printf("an event to its row: median %.2f ms over %d events [target: under 200 ms]\n",
                median(eventMs), int(eventMs.size()));

    // 3. A 1 GB log, opened by its tail.
    const int logMb = qEnvironmentVariableIsSet("GPUDECK_BENCH_LOG_MB")
                          ? qEnvironmentVariableIntValue("GPUDECK_BENCH_LOG_MB")
                          : 1024;
    if (logMb > 0) {
        LaunchSpec spec;
        spec.image = kImage;
        // 100-byte lines, numbered at the end so the tail can be checked.
        spec.command = {QStringLiteral("sh"), QStringLiteral("-c"),
                        QStringLiteral("yes %1 | head -c %2; seq 1 10000")
                            .arg(QString(99, QLatin1Char('x')))
                            .arg(qint64(logMb) * 1024 * 1024)};
        spec.networkMode = QStringLiteral("none");
        spec.autoRemove = false;
        QString logged;
        bool made = false;
        client.createContainer(DockerCreateBody::build(spec, true), {}, &calls,
                               [&](const Result<QString> &id) {
                                   made = true;
                                   logged = id ? id.value() : QString();
                               });
        waitFor([&]() { return made; });
        bool ended = false;
        QElapsedTimer writing;
        writing.start();
        if (!logged.isEmpty()) {
            ids << logged;
            WaitCall *exit = client.wait(logged, QStringLiteral("next-exit"));
            QObject::connect(exit, &WaitCall::ready, &calls, [&]() {
                client.startContainer(logged, &calls, [](const Result<void> &) {});
            });
            QObject::connect(exit, &EngineStream::finished, &calls, [&]() { ended = true; });
            while (!ended && writing.elapsed() < 600000)
                waitFor([&]() { return ended; }); // each wait ends after 120 s at most
            exit->deleteLater();
        }
        if (!ended) {
            std::fprintf(stderr, "the %d MB log was not written\n", logMb);
        } else {
            struct rusage before
            { };
            getrusage(RUSAGE_SELF, &before);
            QList<double> oursMs;
            qint64 lines = 0;
            QByteArray lastLine;
            for (int round = 0; round < 3; ++round) {
                QElapsedTimer clock;
                clock.start();
                ContainerStream *stream = client.logs(logged, false, false, 10000);
                lines = 0;
                QByteArray tail;
                QObject::connect(stream, &ContainerStream::output, &calls,
                                 [&](StreamDemuxer::Channel, const QByteArray &data) {
                                     lines += data.count('\n');
                                     tail = QByteArray(tail + data).right(64);
                                 });
                bool done = false;
                QObject::connect(stream, &EngineStream::finished, &calls, [&]() { done = true; });
                waitFor([&]() { return done; });
                oursMs << clock.nsecsElapsed() / 1e6;
                lastLine = tail.trimmed().split('\n').last();
                stream->deleteLater();
            }
            struct rusage after
            { };
            getrusage(RUSAGE_SELF, &after);
            QList<double> cliMs;
            for (int round = 0; round < 3; ++round) {
                QProcess cli;
                cli.setStandardOutputFile(QProcess::nullDevice());
                cli.setStandardErrorFile(QProcess::nullDevice());
                QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
                env.insert(QStringLiteral("DOCKER_HOST"), host);
                cli.setProcessEnvironment(env);
                QElapsedTimer clock;
                clock.start();
                cli.start(QStringLiteral("docker"),
                          {QStringLiteral("logs"), QStringLiteral("--tail"),
                           QStringLiteral("10000"), logged});
                cli.waitForFinished(120000);
                cliMs << clock.nsecsElapsed() / 1e6;
            }
            std::printf("a %d MB log (written in %.1f s) by its last 10,000 lines: %lld lines, the "
                        "last \"%s\"; median of 3 %.1f ms, docker logs --tail 10000 %.1f ms "
                        "(ratio %.2f); peak RSS of this process %ld MB before, %ld MB after "
                        "[target: under 1 s, under 100 MB]\n",
                        logMb, writing.elapsed() / 1000.0, lines, lastLine.constData(),
                        median(oursMs), median(cliMs), median(oursMs) / median(cliMs),
                        before.ru_maxrss / 1024, after.ru_maxrss / 1024);
        }
    }

    // Nothing is left behind.
    int removed = 0;
    for (const QString &id : std::as_const(ids))
        client.removeContainer(id, true, &calls, [&](const Result<void> &) { ++removed; });
    waitFor([&]() { return removed >= ids.size(); });
    return 0;
}
