// bench_engines: a window that knows 5 engines, one of them dead (a listener that accepts and never
// answers), against the sandboxed engine (GPUDECK_TEST_HOST, a unix:// socket): the --host engine
// and three more names for the same socket (links to it, added by URL, so each is an engine of
// its own with its own connections), plus the dead one. Printed, never asserted:
//   - when each row first showed its state, and when each live row said connected
//   - when the dead row said down, and the longest event-loop stall until then
//     (targets from issue 13: every row's state within 1 s, no stall over 50 ms)
//   QT_QPA_PLATFORM=offscreen GPUDECK_TEST_HOST=unix:///tmp/e/docker.sock build/tests/bench/bench_engines
#include "engines/EngineList.h"
#include "fleet/Engine.h"
#include "fleet/EngineRegistry.h"
#include "window/MainWindow.h"

#include <QApplication>
#include <QElapsedTimer>
#include <QFile>
#include <QHash>
#include <QSettings>
#include <QTcpServer>
#include <QTemporaryDir>
#include <QTimer>

#include <cstdio>

int main(int argc, char *argv[])
{
    QApplication app(argc, argv);
    const QString host = qEnvironmentVariable("GPUDECK_TEST_HOST");
    if (!host.startsWith(QLatin1String("unix://"))) {
        std::fprintf(
            stderr,
            "bench_engines: set GPUDECK_TEST_HOST to the sandboxed engine's unix:// socket\n");
        return 2;
    }
    QTemporaryDir dir;
    QApplication::setOrganizationName(QStringLiteral("gpudeck-bench"));
    QApplication::setApplicationName(QStringLiteral("gpudeck-bench-engines"));
    QSettings::setPath(QSettings::NativeFormat, QSettings::UserScope,
                       dir.filePath(QStringLiteral("settings")));
    qputenv("DOCKER_CONFIG", dir.filePath(QStringLiteral("docker")).toUtf8());
    qunsetenv("DOCKER_HOST");
    qunsetenv("DOCKER_CONTEXT");

    QTcpServer silent;
    if (!silent.listen(QHostAddress::LocalHost))
        return 1;
    QStringList added;
    for (int i = 1; i <= 3; ++i) {
        const QString link = dir.filePath(QStringLiteral("engine-%1.sock").arg(i));
        if (!QFile::link(host.mid(7), link))
            return 1;
        added.append(QStringLiteral("unix://") + link);
    }
    const QString dead = QStringLiteral("tcp://127.0.0.1:%1").arg(silent.serverPort());
    added.append(dead);
    QSettings().setValue(QString::fromLatin1(EngineRegistry::kAddedKey), added);

    QElapsedTimer clock;
    clock.start();
    qint64 last = 0;
    qint64 longest = 0;
    QTimer probe;
    QObject::connect(&probe, &QTimer::timeout, &app, [&]() {
        longest = qMax(longest, clock.elapsed() - last);
        last = clock.elapsed();
    });
    probe.start(5);

    MainWindow window(host);
    window.show();
    const qint64 shown = clock.elapsed();
    // Stalls from here on: building the window itself is one long step, counted in `shown`.
    QCoreApplication::processEvents();
    last = clock.elapsed();
    longest = 0;
    QHash<Engine *, qint64> connectedAt;
    QHash<Engine *, qint64> downAt;
    Engine *deadEngine = window.engineRegistry()->find(dead);
    const QList<Engine *> engines = window.engineRegistry()->engines();
    for (Engine *engine : engines) {
        QObject::connect(engine, &Engine::stateChanged, &app, [&, engine]() {
            if (engine->state() == Engine::State::Connected && !connectedAt.contains(engine))
                connectedAt.insert(engine, clock.elapsed());
            if (engine->state() == Engine::State::Down && !downAt.contains(engine))
                downAt.insert(engine, clock.elapsed());
        });
    }
    QTimer done;
    QObject::connect(&done, &QTimer::timeout, &app, [&]() {
        if (downAt.contains(deadEngine) || clock.elapsed() > 60000)
            app.quit();
    });
    done.start(50);
    app.exec();

    std::printf(
        "bench_engines: %d engines, window shown at %lld ms (every row shows a state from then)\n",
        int(engines.size()), shown);
    for (Engine *engine : engines) {
        const QString at = connectedAt.contains(engine)
                               ? QStringLiteral("connected at %1 ms").arg(connectedAt.value(engine))
                           : downAt.contains(engine)
                               ? QStringLiteral("down at %1 ms").arg(downAt.value(engine))
                               : QStringLiteral("still %1").arg(EngineList::stateText(engine));
        std::printf("  %-50s %s\n", qPrintable(engine->name()), qPrintable(at));
    }
    std::printf("  longest event-loop stall after the window was shown, until the dead engine was "
                "down: %lld ms\n",
                longest);
    return 0;
}
