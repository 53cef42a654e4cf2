#include "Await.h"
#include "TestEngine.h"
#include "engine/DockerClient.h"
#include "engine/Endpoint.h"
#include "launch/ComposeExport.h"
#include "launch/DockerCreateBody.h"
#include "launch/DockerRunExport.h"
#include "launch/KubernetesExport.h"
#include "launch/LaunchSpec.h"
#include "launch/PythonExport.h"
#include "launch/Ulimit.h"
#include "presets/Preset.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTest>

// How the process runs: interactive, user, workdir, entrypoint and ulimits, from the preset file
// to the create body and the docker run line, and against the engine: what docker run makes of
// the exported line is what GPU Deck's create makes.
class TestProcessFields : public QObject
{
    Q_OBJECT

private slots:
    void ulimits_data();
    void ulimits();
    void createBody();
    void presetRoundTrip();
    void dockerRunLine();
    void otherExports();
    void sameAsDockerRun();

private:
    static LaunchSpec sample();
};

LaunchSpec TestProcessFields::sample()
{
    LaunchSpec spec;
    spec.image = QStringLiteral("gpudeck-test");
    spec.command = {QStringLiteral("-c"), QStringLiteral("busybox id -u")};
    spec.gpus.mode = GpuSelection::Mode::None;
    spec.autoRemove = false;
    spec.interactive = true;
    spec.tty = true;
    spec.user = QStringLiteral("1000:1000");
    spec.workdir = QStringLiteral("/bin");
    spec.entrypoint = QStringList{QStringLiteral("sh"), QStringLiteral("-e")};
    spec.ulimits = {QStringLiteral("memlock=-1"), QStringLiteral("stack=67108864"),
                    QStringLiteral("nofile=1024:2048")};
    return spec;
}

void TestProcessFields::ulimits_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<bool>("ok");
    QTest::addColumn<qint64>("soft");
    QTest::addColumn<qint64>("hard");
    QTest::newRow("unlimited") << QStringLiteral("memlock=-1") << true << qint64(-1) << qint64(-1);
    QTest::newRow("soft and hard")
        << QStringLiteral("nofile=1024:2048") << true << qint64(1024) << qint64(2048);
    QTest::newRow("unknown name") << QStringLiteral("bogus=1") << false << qint64(0) << qint64(0);
    QTest::newRow("no value") << QStringLiteral("stack") << false << qint64(0) << qint64(0);
    QTest::newRow("soft above hard")
        << QStringLiteral("nofile=10:5") << false << qint64(0) << qint64(0);
    QTest::newRow("not a number") << QStringLiteral("nofile=many") << false << qint64(0)
                                  << qint64(0);
}

void TestProcessFields::ulimits()
{
    QFETCH(QString, text);
    QFETCH(bool, ok);
    QFETCH(qint64, soft);
    QFETCH(qint64, hard);
    const Result<Ulimit> limit = Ulimit::parse(text);
    QCOMPARE(bool(limit), ok);
    if (ok) {
        QCOMPARE(limit.value().soft, soft);
        QCOMPARE(limit.value().hard, hard);
    }
}

void TestProcessFields::createBody()
{
    const QJsonObject body = DockerCreateBody::build(sample(), false);
    QCOMPARE(body[QStringLiteral("OpenStdin")].toBool(), true);
    QCOMPARE(body[QStringLiteral("AttachStdin")].toBool(), true);
    QCOMPARE(body[QStringLiteral("StdinOnce")].toBool(), true);
    QCOMPARE(body[QStringLiteral("User")].toString(), QStringLiteral("1000:1000"));
    QCOMPARE(body[QStringLiteral("WorkingDir")].toString(), QStringLiteral("/bin"));
    QCOMPARE(body[QStringLiteral("Entrypoint")].toArray().size(), 2);
    const QJsonArray limits =
        body[QStringLiteral("HostConfig")][QStringLiteral("Ulimits")].toArray();
    QCOMPARE(limits.size(), 3);
    QCOMPARE(limits.at(1)[QStringLiteral("Name")].toString(), QStringLiteral("nofile"));
    QCOMPARE(limits.at(1)[QStringLiteral("Hard")].toInteger(), 2048);
    // Detached: stdin stays open for a later attach, but nobody attaches now.
    const QJsonObject detached = DockerCreateBody::build(sample(), true);
    QCOMPARE(detached[QStringLiteral("OpenStdin")].toBool(), true);
    QCOMPARE(detached[QStringLiteral("AttachStdin")].toBool(), false);

    LaunchSpec bad = sample();
    bad.ulimits << QStringLiteral("bogus=1");
    QCOMPARE(bad.validate().size(), 1);
    QCOMPARE(bad.validate().first().field, QStringLiteral("ulimits"));
}

void TestProcessFields::presetRoundTrip()
{
    Preset preset;
    preset.setName(QStringLiteral("process"));
    preset.setSpec(sample());
    const QJsonObject json = preset.toJson();
    QCOMPARE(json[QStringLiteral("interactive")].toBool(), true);
    QCOMPARE(json[QStringLiteral("ulimits")].toArray().size(), 3);
    const Result<Preset> back = Preset::fromJsonObject(json);
    QVERIFY2(back, qPrintable(back ? QString() : back.error().message()));
    QVERIFY(back.value().spec() == sample());
    // Unused, they are not written: older readers see the file they know.
    Preset plain;
    plain.setName(QStringLiteral("plain"));
    LaunchSpec spec = sample();
    spec.interactive = false;
    spec.user.clear();
    spec.workdir.clear();
    spec.entrypoint.reset();
    spec.ulimits.clear();
    plain.setSpec(spec);
    QVERIFY(!plain.toJson().contains(QStringLiteral("ulimits")));
    QVERIFY(!plain.toJson().contains(QStringLiteral("interactive")));
}

void TestProcessFields::dockerRunLine()
{
    QCOMPARE(DockerRunExport::commandLine(sample(), false),
             QStringLiteral("docker run -i -t --user 1000:1000 -w /bin --entrypoint sh "
                            "--ulimit memlock=-1 --ulimit stack=67108864 --ulimit nofile=1024:2048 "
                            "gpudeck-test -e -c 'busybox id -u'"));
}

void TestProcessFields::otherExports()
{
    const QString python = PythonExport::script(sample(), false);
    for (const char *part : {"stdin_open=True", "user=\"1000:1000\"", "working_dir=\"/bin\"",
                             "entrypoint=[\"sh\", \"-e\"]",
                             "docker.types.Ulimit(name=\"nofile\", soft=1024, hard=2048)"})
        QVERIFY2(python.contains(QLatin1String(part)), part);
    const QString compose = ComposeExport::yaml(sample());
    for (const char *part : {"stdin_open: true", "user: \"1000:1000\"", "working_dir: \"/bin\"",
                             "entrypoint:\n      - \"sh\"\n      - \"-e\"",
                             "nofile:\n        soft: 1024\n        hard: 2048"})
        QVERIFY2(compose.contains(QLatin1String(part)), part);
    const Result<QString> job = KubernetesExport::yaml(sample(), {});
    QVERIFY(job);
    const QString kubernetes = job.value();
    for (const char *part :
         {"command:", "workingDir: \"/bin\"", "stdin: true", "runAsUser: 1000", "runAsGroup: 1000"})
        QVERIFY2(kubernetes.contains(QLatin1String(part)), part);
}

void TestProcessFields::sameAsDockerRun()
{
    GPUDECK_REQUIRE_ENGINE();
    const Result<Endpoint> endpoint = EndpointResolver::fromUrl(TestEngine::host(),
                                                                QStringLiteral("test"));
    QVERIFY(endpoint);
    DockerClient client(endpoint.value());
    const LaunchSpec spec = sample();
    const Result<QString> ours = await<QString>([&](QObject *ctx, auto done) {
        client.createContainer(DockerCreateBody::build(spec, false), {}, ctx, done);
    });
    QVERIFY2(ours, qPrintable(ours ? QString() : ours.error().message()));
    // The exported line, as docker create (the flags of an attached run; nothing starts).
    QStringList args = DockerRunExport::arguments(spec, true);
    args = args.mid(2);
    args.removeAll(QStringLiteral("-d"));
    const TestEngine::CliResult theirs = TestEngine::docker(QStringList{QStringLiteral("create")}
                                                            + args);
    QVERIFY2(theirs.exitCode == 0, theirs.err.constData());
    const QString theirId = QString::fromUtf8(theirs.out.trimmed());
    const TestEngine::CliResult inspected = TestEngine::docker(
        {QStringLiteral("inspect"), ours.value(), theirId});
    TestEngine::docker({QStringLiteral("rm"), QStringLiteral("-f"), ours.value(), theirId});
    const QJsonArray both = QJsonDocument::fromJson(inspected.out).array();
    QCOMPARE(both.size(), 2);
    const QJsonObject a = both.at(0).toObject();
    const QJsonObject b = both.at(1).toObject();
    // docker run's --entrypoint takes one word, the rest goes before the command: the same
    // process either way.
    const auto process = [](const QJsonObject &container) {
        const QJsonObject config = container[QStringLiteral("Config")].toObject();
        return config[QStringLiteral("Entrypoint")].toArray().toVariantList()
               + config[QStringLiteral("Cmd")].toArray().toVariantList();
    };
    QCOMPARE(process(a), process(b));
    for (const char *key : {"User", "WorkingDir", "OpenStdin", "StdinOnce", "AttachStdin", "Tty"}) {
        QCOMPARE(a[QStringLiteral("Config")][QLatin1String(key)],
                 b[QStringLiteral("Config")][QLatin1String(key)]);
    }
    QCOMPARE(a[QStringLiteral("HostConfig")][QStringLiteral("Ulimits")],
             b[QStringLiteral("HostConfig")][QStringLiteral("Ulimits")]);
}

QTEST_GUILESS_MAIN(TestProcessFields)
#include "tst_processfields.moc"
