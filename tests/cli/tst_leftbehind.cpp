// Nothing GPU Deck starts for its own purposes outlives the command that started it: the doctor's
// probe, the GPU probe of TCP engines, the containers of failed or interrupted launches, ssh
// tunnels and forwards. Each headless command runs against the engine (local, ssh, TLS, Podman);
// the engine's containers (all) and services are listed before and after it, and no process that
// inherited the command's environment may still run once it has exited.
#include "TestEngine.h"

#include "launch/LaunchSpec.h"
#include "presets/Preset.h"
#include "presets/PresetStore.h"

#include <QDir>
#include <QDirIterator>
#include <QFile>
#include <QProcess>
#include <QTemporaryDir>
#include <QTest>
#include <QUuid>

#include <csignal>

class TestLeftBehind : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void commandLeavesNothing_data();
    void commandLeavesNothing();
    void interruptedRunLeavesNothing();

private:
    QString writePreset(const QString &name, const QStringList &command);
    // Containers (all) and, on a swarm manager, services of the engine, as the docker CLI lists them.
    QStringList engineObjects() const;
    // PIDs of processes whose environment holds the marker (gpudeck's own children: ssh,
    // forwards, shells).
    static QList<qint64> processesWithMarker(const QByteArray &marker);
    QProcessEnvironment commandEnvironment(const QByteArray &marker) const;

    QTemporaryDir m_dir;
};

void TestLeftBehind::initTestCase()
{
    GPUDECK_REQUIRE_ENGINE();
    QVERIFY(m_dir.isValid());
    QVERIFY(QDir(m_dir.path()).mkpath(QStringLiteral("presets")));
}

QString TestLeftBehind::writePreset(const QString &name, const QStringList &command)
{
    LaunchSpec spec;
    spec.image = QStringLiteral("gpudeck-test:latest");
    spec.command = command;
    spec.networkMode = QStringLiteral("none");
    spec.autoRemove = true;
    const QString path = m_dir.filePath(QStringLiteral("presets/") + PresetStore::slug(name)
                                        + QStringLiteral(".json"));
    return PresetStore::writeFile(path, Preset(name, spec).toFileBytes()) ? path : QString();
}

QStringList TestLeftBehind::engineObjects() const
{
    QStringList objects;
    const TestEngine::CliResult containers = TestEngine::docker(
        {QStringLiteral("ps"), QStringLiteral("--all"), QStringLiteral("--quiet"),
         QStringLiteral("--no-trunc")});
    for (const QByteArray &id : containers.out.split('\n'))
        if (!id.isEmpty())
            objects << QStringLiteral("container ") + QString::fromLatin1(id);
    const TestEngine::CliResult services = TestEngine::docker(
        {QStringLiteral("service"), QStringLiteral("ls"), QStringLiteral("-q")});
    if (services.exitCode == 0) { // only a swarm manager has services
        for (const QByteArray &id : services.out.split('\n'))
            if (!id.isEmpty())
                objects << QStringLiteral("service ") + QString::fromLatin1(id);
    }
    objects.sort();
    return objects;
}

QList<qint64> TestLeftBehind::processesWithMarker(const QByteArray &marker)
{
    QList<qint64> pids;
    const QStringList entries = QDir(QStringLiteral("/proc")).entryList(QDir::Dirs);
    for (const QString &entry : entries) {
        bool ok = false;
        const qint64 pid = entry.toLongLong(&ok);
        if (!ok)
            continue;
        QFile environ(QStringLiteral("/proc/%1/environ").arg(pid));
        if (environ.open(QIODevice::ReadOnly) && environ.readAll().contains(marker))
            pids << pid;
    }
    return pids;
}

QProcessEnvironment TestLeftBehind::commandEnvironment(const QByteArray &marker) const
{
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert(QStringLiteral("DOCKER_HOST"), TestEngine::host());
    env.insert(QStringLiteral("GPUDECK_PRESET_DIR"), m_dir.filePath(QStringLiteral("presets")));
    env.insert(QStringLiteral("GPUDECK_LEFT_BEHIND_MARKER"), QString::fromLatin1(marker));
    return env;
}

void TestLeftBehind::commandLeavesNothing_data()
{
    QTest::addColumn<QStringList>("args");
    QTest::newRow("doctor") << QStringList{QStringLiteral("doctor")};
    QTest::newRow("doctor --json")
        << QStringList{QStringLiteral("doctor"), QStringLiteral("--json")};
    QTest::newRow("gpus") << QStringList{QStringLiteral("gpus"), QStringLiteral("--json")};
    QTest::newRow("engines") << QStringList{QStringLiteral("engines"), QStringLiteral("--json")};
    QTest::newRow("images") << QStringList{QStringLiteral("images")};
    QTest::newRow("run") << QStringList{QStringLiteral("run"), QStringLiteral("--preset"),
                                        QStringLiteral("left-true")};
    QTest::newRow("run, command not found")
        << QStringList{QStringLiteral("run"), QStringLiteral("--preset"),
                       QStringLiteral("left-missing")};
}

void TestLeftBehind::commandLeavesNothing()
{
    QFETCH(QStringList, args);
    QVERIFY(!writePreset(QStringLiteral("left-true"), {QStringLiteral("true")}).isEmpty());
    QVERIFY(!writePreset(QStringLiteral("left-missing"), {QStringLiteral("/no/such/program")})
                 .isEmpty());
    const QStringList before = engineObjects();
    const QByteArray marker = QUuid::createUuid().toByteArray(QUuid::WithoutBraces);
    QProcess command;
    command.setProcessEnvironment(commandEnvironment(marker));
    command.start(QStringLiteral(GPUDECK_BINARY), args);
    QVERIFY(command.waitForFinished(120000));
    QVERIFY2(command.exitStatus() == QProcess::NormalExit,
             command.readAllStandardError().constData());
    // Right after the exit, not eventually: a removal still on its way when the command exits is
    // the fault this test is for.
    QCOMPARE(engineObjects(), before);
    QCOMPARE(processesWithMarker(marker), QList<qint64>());
}

void TestLeftBehind::interruptedRunLeavesNothing()
{
    const QString preset = writePreset(QStringLiteral("left-sleep"),
                                       {QStringLiteral("sh"), QStringLiteral("-c"),
                                        QStringLiteral("echo up; sleep 100")});
    QVERIFY(!preset.isEmpty());
    const QStringList before = engineObjects();
    const QByteArray marker = QUuid::createUuid().toByteArray(QUuid::WithoutBraces);
    QProcess run;
    run.setProcessEnvironment(commandEnvironment(marker));
    run.start(QStringLiteral(GPUDECK_BINARY),
              {QStringLiteral("run"), QStringLiteral("--preset"), preset});
    QByteArray out;
    QTRY_VERIFY_WITH_TIMEOUT((out += run.readAllStandardOutput()).contains("up\n"), 60000);
    ::kill(pid_t(run.processId()), SIGINT); // Ctrl+C
    QVERIFY(run.waitForFinished(60000));
    QCOMPARE(engineObjects(), before);
    QCOMPARE(processesWithMarker(marker), QList<qint64>());
}

QTEST_GUILESS_MAIN(TestLeftBehind)
#include "tst_leftbehind.moc"
