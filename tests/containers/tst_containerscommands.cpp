// gpudeck ps, logs, stop, kill and rm against the real engine, next to the docker CLI: containers
// made by the engine's CLI with each form of GPU request, and by gpudeck run, show the GPUs they
// hold (the host's GPUs from the fake NVML); logs are byte-exact against docker logs; a missing
// container among good ones is one sentence and exit 1 while the others are done; "1 free GPU"
// passes over GPUs that idle containers hold, and its refusal names them.
// On Podman (4.3) the containers are made by podman, with CDI devices: once started, Podman's
// inspect keeps only their device nodes (/dev/nvidia0 and /dev/nvidia1 in the stand-in spec),
// which name the host's GPUs by minor number.
#include "FakeSmi.h"
#include "TestEngine.h"

#include "presets/Preset.h"
#include "presets/PresetStore.h"

#include <QCoreApplication>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QTest>

namespace {

const QString kImage = QStringLiteral("gpudeck-test:latest");
// The fake NVML's two GPUs (scenario "two").
const QString kUuid0 = QStringLiteral("GPU-00000000-0000-0000-0000-000000000000");
const QString kUuid1 = QStringLiteral("GPU-00000000-0000-0000-0000-000000000010");

QString unique(const QString &stem)
{
    return QStringLiteral("gdctr-%1-%2").arg(stem).arg(QCoreApplication::applicationPid());
}

QProcessEnvironment fakeNvml()
{
    QProcessEnvironment env;
    env.insert(QStringLiteral("GPUDECK_NVML_PATH"), QStringLiteral(GPUDECK_FAKE_NVML));
    env.insert(QStringLiteral("GPUDECK_FAKE_NVML_SCENARIO"), QStringLiteral("two"));
    return env;
}

TestEngine::CliResult gpudeck(const QStringList &args,
                              const QProcessEnvironment &env = QProcessEnvironment())
{
    return TestEngine::runProgram(QStringLiteral(GPUDECK_BINARY), args, env, 120000);
}

// The entry of `gpudeck ps --all --json` for a container name; empty when not listed.
QJsonObject psEntry(const QByteArray &json, const QString &name)
{
    const QJsonArray entries = QJsonDocument::fromJson(json).array();
    for (const QJsonValue &entry : entries) {
        if (entry.toObject().value(QLatin1String("name")).toString() == name)
            return entry.toObject();
    }
    return {};
}

QString state(const QString &name)
{
    const TestEngine::CliResult inspected = TestEngine::engineCli(
        {QStringLiteral("inspect"), QStringLiteral("--format"), QStringLiteral("{{.State.Status}}"),
         name});
    return inspected.exitCode == 0 ? QString::fromUtf8(inspected.out.trimmed()) : QString();
}

} // namespace

class TestContainersCommands : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void cleanupTestCase();
    void psShowsHeldGpus_data();
    void psShowsHeldGpus();
    void psShowsGpuDeckLaunches();
    void psWithoutHostGpusKeepsTheRequest();
    void logsAreByteExact_data();
    void logsAreByteExact();
    void logsFollowUntilTheEnd();
    void missingContainersAreOneSentenceEach();
    void freeGpuSkipsHeldGpus();

private:
    QString sleeper(const QString &stem, const QStringList &options);
    QStringList m_made;
    QTemporaryDir m_dir;
};

void TestContainersCommands::initTestCase()
{
    GPUDECK_REQUIRE_ENGINE();
    QVERIFY(m_dir.isValid());
}

void TestContainersCommands::cleanupTestCase()
{
    if (!m_made.isEmpty())
        TestEngine::engineCli(QStringList{QStringLiteral("rm"), QStringLiteral("-f")} + m_made);
}

// A running container made by the engine's CLI, removed at the end.
QString TestContainersCommands::sleeper(const QString &stem, const QStringList &options)
{
    const QString name = unique(stem);
    m_made << name;
    const TestEngine::CliResult run = TestEngine::engineCli(
        QStringList{QStringLiteral("run"), QStringLiteral("-d"), QStringLiteral("--network"),
                    QStringLiteral("none"), QStringLiteral("--name"), name}
        + options + QStringList{kImage, QStringLiteral("sleep"), QStringLiteral("600")});
    return run.exitCode == 0 ? name : QString::fromUtf8(run.err);
}

void TestContainersCommands::psShowsHeldGpus_data()
{
    QTest::addColumn<QStringList>("options");
    QTest::addColumn<QString>("request");
    QTest::addColumn<QList<int>>("indexes");
    if (TestEngine::isPodman()) {
        // Podman before 5.4 drops docker's --gpus, and has no nvidia runtime here: CDI devices.
        QTest::newRow("--device nvidia.com/gpu=GPU 1")
            << TestEngine::podmanGpuDevices({1}) << QStringLiteral("device nodes /dev/nvidia1")
            << QList<int>{1};
        QTest::newRow("--device both GPUs")
            << TestEngine::podmanGpuDevices({1, 0})
            << QStringLiteral("device nodes /dev/nvidia1,/dev/nvidia0") << QList<int>{0, 1};
        QTest::newRow("no GPUs") << QStringList() << QString() << QList<int>();
        return;
    }
    QTest::newRow("--gpus device=1")
        << QStringList{QStringLiteral("--gpus"), QStringLiteral("device=1")}
        << QStringLiteral("device=1") << QList<int>{1};
    QTest::newRow("--gpus 2") << QStringList{QStringLiteral("--gpus"), QStringLiteral("2")}
                              << QStringLiteral("count=2") << QList<int>{0, 1};
    QTest::newRow("--gpus all") << QStringList{QStringLiteral("--gpus"), QStringLiteral("all")}
                                << QStringLiteral("all") << QList<int>{0, 1};
    QTest::newRow("NVIDIA_VISIBLE_DEVICES=1 --runtime nvidia")
        << QStringList{QStringLiteral("-e"), QStringLiteral("NVIDIA_VISIBLE_DEVICES=1"),
                       QStringLiteral("--runtime"), QStringLiteral("nvidia")}
        << QStringLiteral("NVIDIA_VISIBLE_DEVICES=1") << QList<int>{1};
    QTest::newRow("no GPUs") << QStringList() << QString() << QList<int>();
    if (TestEngine::hasCdi()) { // Docker 26 and later: CDI devices by name
        QTest::newRow("--device nvidia.com/gpu=0")
            << QStringList{QStringLiteral("--device"), QStringLiteral("nvidia.com/gpu=0")}
            << QStringLiteral("cdi nvidia.com/gpu=0") << QList<int>{0};
    }
}

void TestContainersCommands::psShowsHeldGpus()
{
    QFETCH(QStringList, options);
    QFETCH(QString, request);
    QFETCH(QList<int>, indexes);
    const QString name = sleeper(QStringLiteral("ps%1").arg(qHash(QTest::currentDataTag())),
                                 options);
    QVERIFY2(name.startsWith(QLatin1String("gdctr-")), qPrintable(name));

    const TestEngine::CliResult ps = gpudeck({QStringLiteral("ps"), QStringLiteral("--json")},
                                             fakeNvml());
    QVERIFY2(ps.exitCode == 0, ps.err.constData());
    const QJsonObject entry = psEntry(ps.out, name);
    QVERIFY2(!entry.isEmpty(), ps.out.constData());
    QCOMPARE(entry.value(QLatin1String("state")).toString(), QStringLiteral("running"));
    QCOMPARE(entry.value(QLatin1String("image")).toString(), TestEngine::engineImageName(kImage));
    QVERIFY(entry.value(QLatin1String("status")).toString().startsWith(QLatin1String("Up ")));
    QCOMPARE(entry.value(QLatin1String("gpuRequest")).toString(), request);
    QCOMPARE(entry.value(QLatin1String("gpuRequest")).isNull(), request.isEmpty());
    const QJsonArray gpus = entry.value(QLatin1String("gpus")).toArray();
    // A remote engine's host GPUs are read there (ssh: its nvidia-smi, which this test host
    // lacks; TLS: a probe container): this machine's fake NVML answers only for a local engine.
    // Unresolved, the GPUs are what the container asked for, and gpusResolved says so.
    const bool resolved = entry.value(QLatin1String("gpusResolved")).toBool();
    if (!TestEngine::isRemote() || request.isEmpty())
        QVERIFY(resolved);
    if (resolved && (!TestEngine::isRemote() || request != QLatin1String("all"))) {
        QCOMPARE(gpus.size(), indexes.size());
        for (int i = 0; i < indexes.size(); ++i) {
            const QJsonObject gpu = gpus.at(i).toObject();
            QCOMPARE(gpu.value(QLatin1String("index")).toInt(), indexes.at(i));
            if (!TestEngine::isRemote())
                QCOMPARE(gpu.value(QLatin1String("uuid")).toString(),
                         indexes.at(i) == 0 ? kUuid0 : kUuid1);
            else
                QVERIFY(
                    gpu.value(QLatin1String("uuid")).toString().startsWith(QLatin1String("GPU-")));
        }
    } else if (!resolved && request != QLatin1String("all")) {
        QCOMPARE(gpus.size(), indexes.size());
        for (int i = 0; i < indexes.size(); ++i)
            QCOMPARE(gpus.at(i).toObject().value(QLatin1String("index")).toInt(), indexes.at(i));
    }

    // The table too: the row names the GPUs.
    const TestEngine::CliResult table = gpudeck({QStringLiteral("ps")}, fakeNvml());
    QCOMPARE(table.exitCode, 0);
    QVERIFY(table.out.startsWith("CONTAINER ID"));
    const QList<QByteArray> lines = table.out.split('\n');
    const auto row = std::find_if(lines.begin(), lines.end(), [&name](const QByteArray &line) {
        return line.contains(name.toUtf8());
    });
    QVERIFY2(row != lines.end(), table.out.constData());
    if (!TestEngine::isRemote() && !indexes.isEmpty())
        QVERIFY2(row->contains(indexes.size() == 2 ? "0,1" : "1"), row->constData());
    TestEngine::engineCli({QStringLiteral("rm"), QStringLiteral("-f"), name});
}

void TestContainersCommands::psShowsGpuDeckLaunches()
{
    LaunchSpec spec;
    spec.image = kImage;
    spec.command = {QStringLiteral("sleep"), QStringLiteral("600")};
    // Podman takes GPUs as CDI devices only: its stand-in GPU 0 by its CDI name.
    const QString device = TestEngine::isPodman() ? TestEngine::podmanGpuUuids().value(0)
                                                  : QStringLiteral("0");
    spec.gpus = GpuSelection::ofDevices({device});
    spec.networkMode = QStringLiteral("none");
    spec.autoRemove = false;
    spec.containerName = unique(QStringLiteral("own"));
    m_made << spec.containerName;
    const QString presetName = QStringLiteral("ctr ps ünïcode");
    const QString path = m_dir.filePath(QStringLiteral("own.json"));
    QVERIFY(PresetStore::writeFile(path, Preset(presetName, spec).toFileBytes()));
    const TestEngine::CliResult run = gpudeck({QStringLiteral("run"), QStringLiteral("--preset"),
                                               path, QStringLiteral("--detach")},
                                              fakeNvml());
    QVERIFY2(run.exitCode == 0, run.err.constData());

    const TestEngine::CliResult ps = gpudeck({QStringLiteral("ps"), QStringLiteral("--json")},
                                             fakeNvml());
    QVERIFY2(ps.exitCode == 0, ps.err.constData());
    const QJsonObject entry = psEntry(ps.out, spec.containerName);
    QVERIFY2(!entry.isEmpty(), ps.out.constData());
    QCOMPARE(entry.value(QLatin1String("preset")).toString(), presetName);
    QCOMPARE(entry.value(QLatin1String("id")).toString(), QString::fromLatin1(run.out.trimmed()));
    QCOMPARE(entry.value(QLatin1String("gpuRequest")).toString(),
             TestEngine::isPodman() ? QStringLiteral("device nodes /dev/nvidia0")
                                    : QStringLiteral("device=0"));
    if (!TestEngine::isRemote()) {
        QCOMPARE(QJsonDocument(entry.value(QLatin1String("gpus")).toArray())
                     .toJson(QJsonDocument::Compact),
                 QStringLiteral("[{\"index\":0,\"uuid\":\"%1\"}]").arg(kUuid0).toUtf8());
    }
    // The labels as the engine keeps them.
    const TestEngine::CliResult labels = TestEngine::engineCli(
        {QStringLiteral("inspect"), QStringLiteral("--format"),
         QStringLiteral("{{json .Config.Labels}}"), spec.containerName});
    const QJsonObject stored = QJsonDocument::fromJson(labels.out).object();
    QCOMPARE(stored.value(QLatin1String("io.github.gpudeck.preset")).toString(), presetName);
    QCOMPARE(stored.value(QLatin1String("io.github.gpudeck.gpus")).toString(), device);
    TestEngine::engineCli({QStringLiteral("rm"), QStringLiteral("-f"), spec.containerName});
}

void TestContainersCommands::psWithoutHostGpusKeepsTheRequest()
{
    if (TestEngine::isRemote())
        QSKIP("the host GPUs of a remote engine are never this machine's");
    const QString name = sleeper(QStringLiteral("nohost"),
                                 TestEngine::isPodman() ? TestEngine::podmanGpuDevices({1})
                                                        : QStringList{QStringLiteral("--gpus"),
                                                                      QStringLiteral("device=1")});
    // A GPU index can be told without the host; a device node's minor number cannot.
    const QString request = TestEngine::isPodman() ? QStringLiteral("device nodes /dev/nvidia1")
                                                   : QStringLiteral("device=1");
    QVERIFY2(name.startsWith(QLatin1String("gdctr-")), qPrintable(name));
    QTemporaryDir emptyPath;
    QProcessEnvironment env;
    env.insert(QStringLiteral("GPUDECK_NVML_PATH"),
               QStringLiteral("/nonexistent/libnvidia-ml.so.1"));
    env.insert(QStringLiteral("PATH"), emptyPath.path());
    const TestEngine::CliResult ps = gpudeck({QStringLiteral("ps"), QStringLiteral("--json")}, env);
    QVERIFY2(ps.exitCode == 0, ps.err.constData());
    const QJsonObject entry = psEntry(ps.out, name);
    QCOMPARE(entry.value(QLatin1String("gpusResolved")).toBool(true), false);
    QCOMPARE(entry.value(QLatin1String("gpuRequest")).toString(), request);
    QCOMPARE(
        QJsonDocument(entry.value(QLatin1String("gpus")).toArray()).toJson(QJsonDocument::Compact),
        TestEngine::isPodman() ? QByteArray("[]") : QByteArray(R"([{"index":1,"uuid":null}])"));
    const TestEngine::CliResult table = gpudeck({QStringLiteral("ps")}, env);
    QVERIFY2(table.out.contains((request + QStringLiteral(" (host GPUs unknown)")).toUtf8()),
             table.out.constData());
    TestEngine::engineCli({QStringLiteral("rm"), QStringLiteral("-f"), name});
}

void TestContainersCommands::logsAreByteExact_data()
{
    QTest::addColumn<bool>("tty");
    QTest::addColumn<QStringList>("options");
    QTest::newRow("framed") << false << QStringList();
    QTest::newRow("framed --tail 2")
        << false << QStringList{QStringLiteral("--tail"), QStringLiteral("2")};
    QTest::newRow("tty raw") << true << QStringList();
}

void TestContainersCommands::logsAreByteExact()
{
    QFETCH(bool, tty);
    QFETCH(QStringList, options);
    const QString name = unique(QStringLiteral("logs%1").arg(qHash(QTest::currentDataTag())));
    m_made << name;
    // Both streams, interleaved, with bytes that are not UTF-8 and no final newline.
    const QString script = QStringLiteral(
        "printf 'out 1\\n'; printf 'err 1\\n' >&2; printf 'out \\377\\376 2\\n';"
        "printf 'err \\303 2\\n' >&2; printf 'ü 3'; printf 'e3' >&2");
    QStringList args{QStringLiteral("run"), QStringLiteral("--network"), QStringLiteral("none"),
                     QStringLiteral("--name"), name};
    if (tty)
        args << QStringLiteral("-t");
    args << kImage << QStringLiteral("sh") << QStringLiteral("-c") << script;
    const TestEngine::CliResult ran = TestEngine::engineCli(args);
    QVERIFY2(ran.exitCode == 0, ran.err.constData());

    const TestEngine::CliResult docker = TestEngine::docker(QStringList{QStringLiteral("logs")}
                                                            + options + QStringList{name});
    QCOMPARE(docker.exitCode, 0);
    QVERIFY(!docker.out.isEmpty() || !docker.err.isEmpty());
    const TestEngine::CliResult ours = gpudeck(QStringList{QStringLiteral("logs")} + options
                                               + QStringList{name});
    QCOMPARE(ours.exitCode, 0);
    QCOMPARE(ours.out, docker.out);
    QCOMPARE(ours.err, docker.err);
    if (!tty && options.isEmpty() && TestEngine::isPodman()) {
        // Podman's k8s-file log keeps the bytes as they were.
        QCOMPARE(ours.out, QByteArray("out 1\nout \xff\xfe 2\n\xc3\xbc 3"));
        QCOMPARE(ours.err, QByteArray("err 1\nerr \xc3 2\ne3"));
    } else if (!tty && options.isEmpty()) {
        // The json-file log driver keeps lines as JSON strings: bytes that are not UTF-8 come
        // back as U+FFFD from the engine, for docker logs too.
        QCOMPARE(ours.out, QByteArray("out 1\nout \xef\xbf\xbd\xef\xbf\xbd 2\n\xc3\xbc 3"));
        QCOMPARE(ours.err, QByteArray("err 1\nerr \xef\xbf\xbd 2\ne3"));
    }
}

void TestContainersCommands::logsFollowUntilTheEnd()
{
    const QString name = unique(QStringLiteral("follow"));
    m_made << name;
    // Output before and after gpudeck starts following; the command ends with the container.
    const TestEngine::CliResult started = TestEngine::engineCli(
        {QStringLiteral("run"), QStringLiteral("-d"), QStringLiteral("--network"),
         QStringLiteral("none"), QStringLiteral("--name"), name, kImage, QStringLiteral("sh"),
         QStringLiteral("-c"),
         QStringLiteral(
             "printf 'before\\n'; sleep 2; printf 'after\\n' >&2; sleep 1; printf 'end\\n'")});
    QVERIFY2(started.exitCode == 0, started.err.constData());
    const TestEngine::CliResult ours = gpudeck(
        {QStringLiteral("logs"), QStringLiteral("-f"), name});
    QCOMPARE(ours.exitCode, 0);
    QCOMPARE(ours.out, QByteArray("before\nend\n"));
    QCOMPARE(ours.err, QByteArray("after\n"));
    const TestEngine::CliResult docker = TestEngine::docker(
        {QStringLiteral("logs"), QStringLiteral("-f"), name});
    QCOMPARE(ours.out, docker.out);
    QCOMPARE(ours.err, docker.err);

    const TestEngine::CliResult missing = gpudeck(
        {QStringLiteral("logs"), unique(QStringLiteral("gone"))});
    QCOMPARE(missing.exitCode, 1);
    QCOMPARE(missing.err.count('\n'), 1);
    QVERIFY2(missing.err.contains("no container of that name"), missing.err.constData());
}

void TestContainersCommands::missingContainersAreOneSentenceEach()
{
    const QString a = sleeper(QStringLiteral("a"), {});
    const QString b = sleeper(QStringLiteral("b"), {});
    const QString c = sleeper(QStringLiteral("c"), {});
    const QString missing = unique(QStringLiteral("missing"));
    QVERIFY2(a.startsWith(QLatin1String("gdctr-")), qPrintable(a));
    QVERIFY2(b.startsWith(QLatin1String("gdctr-")), qPrintable(b));
    QVERIFY2(c.startsWith(QLatin1String("gdctr-")), qPrintable(c));

    const TestEngine::CliResult stopped = gpudeck(
        {QStringLiteral("stop"), QStringLiteral("-t"), QStringLiteral("1"), a, missing, b});
    QCOMPARE(stopped.exitCode, 1);
    QCOMPARE(stopped.out, (a + QLatin1Char('\n') + b + QLatin1Char('\n')).toUtf8());
    QCOMPARE(stopped.err.count('\n'), 1);
    QVERIFY2(stopped.err.startsWith((QStringLiteral("gpudeck: Cannot stop ") + missing).toUtf8()),
             stopped.err.constData());
    QVERIFY2(!stopped.err.contains("{\""), stopped.err.constData()); // no raw daemon JSON
    QCOMPARE(state(a), QStringLiteral("exited"));
    QCOMPARE(state(b), QStringLiteral("exited"));

    const TestEngine::CliResult killed = gpudeck({QStringLiteral("kill"), missing, c});
    QCOMPARE(killed.exitCode, 1);
    QCOMPARE(killed.out, (c + QLatin1Char('\n')).toUtf8());
    QVERIFY2(killed.err.startsWith((QStringLiteral("gpudeck: Cannot kill ") + missing).toUtf8()),
             killed.err.constData());
    QTRY_COMPARE_WITH_TIMEOUT(state(c), QStringLiteral("exited"), 10000);

    const TestEngine::CliResult removed = gpudeck({QStringLiteral("rm"), a, missing, b, c});
    QCOMPARE(removed.exitCode, 1);
    QCOMPARE(removed.out,
             (a + QLatin1Char('\n') + b + QLatin1Char('\n') + c + QLatin1Char('\n')).toUtf8());
    QCOMPARE(removed.err.count('\n'), 1);
    for (const QString &name : {a, b, c})
        QCOMPARE(state(name), QString());

    // A running one: rm refuses without -f (one sentence), -f removes it.
    const QString d = sleeper(QStringLiteral("d"), {});
    const TestEngine::CliResult refused = gpudeck({QStringLiteral("rm"), d});
    QCOMPARE(refused.exitCode, 1);
    QCOMPARE(refused.err.count('\n'), 1);
    QVERIFY2(refused.err.startsWith((QStringLiteral("gpudeck: Cannot remove ") + d).toUtf8()),
             refused.err.constData());
    const TestEngine::CliResult forced = gpudeck({QStringLiteral("rm"), QStringLiteral("-f"), d});
    QCOMPARE(forced.exitCode, 0);
    QCOMPARE(forced.out, (d + QLatin1Char('\n')).toUtf8());
    QCOMPARE(state(d), QString());
}

void TestContainersCommands::freeGpuSkipsHeldGpus()
{
    if (TestEngine::isRemote())
        QSKIP("the fake nvidia-smi answers for this machine only");
    // Two idle GPUs: nothing runs on either, no memory in use.
    // On Podman they are its stand-in CDI devices, and its containers hold them by CDI name.
    const bool podman = TestEngine::isPodman();
    const QStringList uuids = podman ? TestEngine::podmanGpuUuids()
                                     : QStringList{QStringLiteral("GPU-aaaa"),
                                                   QStringLiteral("GPU-bbbb")};
    QCOMPARE(uuids.size(), 2);
    FakeSmi smi;
    smi.writeTwoIdleGpus(uuids.at(0).toUtf8(), uuids.at(1).toUtf8());
    // What the stand-in nvidia-smi in the container prints for the GPU it was given.
    const auto given = [podman](const QString &uuid) -> QByteArray {
        if (podman)
            return "NVIDIA_VISIBLE_DEVICES=\nNVIDIA_DRIVER_CAPABILITIES=\nCDI_DEVICES=nvidia.com/"
                   "gpu="
                   + uuid.toUtf8() + '\n';
        return "NVIDIA_VISIBLE_DEVICES=" + uuid.toUtf8() + "\nNVIDIA_DRIVER_CAPABILITIES=\n";
    };
    QProcessEnvironment env;
    env.insert(QStringLiteral("GPUDECK_NVML_PATH"),
               QStringLiteral("/nonexistent/libnvidia-ml.so.1"));
    env.insert(QStringLiteral("PATH"), QString::fromLocal8Bit(smi.pathOnly()));

    LaunchSpec spec;
    spec.image = kImage;
    spec.command = {QStringLiteral("nvidia-smi")};
    spec.gpus = GpuSelection::ofFree(1);
    spec.networkMode = QStringLiteral("none");
    const QString path = m_dir.filePath(QStringLiteral("free.json"));
    QVERIFY(PresetStore::writeFile(path, Preset(QStringLiteral("free one"), spec).toFileBytes()));

    // GPU 0 held by an idle container: GPU 1 is taken.
    const QString holder0 = sleeper(QStringLiteral("hold0"),
                                    podman ? TestEngine::podmanGpuDevices({0})
                                           : QStringList{QStringLiteral("--gpus"),
                                                         QStringLiteral("device=0")});
    QVERIFY2(holder0.startsWith(QLatin1String("gdctr-")), qPrintable(holder0));
    const TestEngine::CliResult one = gpudeck({QStringLiteral("run"), QStringLiteral("--preset"),
                                               path},
                                              env);
    QVERIFY2(one.exitCode == 0, one.err.constData());
    QCOMPARE(one.out, given(uuids.at(1)));

    // Both held: refused with 125, naming both holders, before anything is created.
    const QString holder1 = sleeper(QStringLiteral("hold1"),
                                    podman ? TestEngine::podmanGpuDevices({1})
                                           : QStringList{QStringLiteral("--gpus"),
                                                         QStringLiteral("device=GPU-bbbb")});
    QVERIFY2(holder1.startsWith(QLatin1String("gdctr-")), qPrintable(holder1));
    const TestEngine::CliResult none = gpudeck({QStringLiteral("run"), QStringLiteral("--preset"),
                                                path},
                                               env);
    QCOMPARE(none.exitCode, 125);
    QCOMPARE(none.out, QByteArray());
    QCOMPARE(none.err.count('\n'), 1);
    QVERIFY2(none.err.startsWith("gpudeck: Cannot take 1 free GPU: none of its 2 GPUs is free"),
             none.err.constData());
    QVERIFY2(none.err.contains((QStringLiteral("GPU 0: held by container ") + holder0).toUtf8()),
             none.err.constData());
    QVERIFY2(none.err.contains((QStringLiteral("GPU 1: held by container ") + holder1).toUtf8()),
             none.err.constData());

    // A stopped holder holds nothing.
    TestEngine::engineCli(
        {QStringLiteral("stop"), QStringLiteral("-t"), QStringLiteral("0"), holder0});
    const TestEngine::CliResult again = gpudeck({QStringLiteral("run"), QStringLiteral("--preset"),
                                                 path},
                                                env);
    QVERIFY2(again.exitCode == 0, again.err.constData());
    QCOMPARE(again.out, given(uuids.at(0)));
}

QTEST_GUILESS_MAIN(TestContainersCommands)
#include "tst_containerscommands.moc"
