#include "TestEngine.h"
#include "launch/DockerRunExport.h"
#include "launch/InspectedLaunch.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTest>

// Launch Again for a container no preset started: the docker CLI creates a container, GPU Deck
// rebuilds its launch from the inspect, and docker create of that launch's exported line makes
// the same container, in the fields GPU Deck knows; the rest is named, never dropped silently.
class TestInspectedLaunch : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase() { GPUDECK_REQUIRE_ENGINE(); }
    void cleanupTestCase()
    {
        if (!m_made.isEmpty())
            TestEngine::docker(QStringList{QStringLiteral("rm"), QStringLiteral("-f")} + m_made);
    }
    void sameContainerAgain_data();
    void sameContainerAgain();
    void imageGone();

private:
    QJsonObject create(const QStringList &args);
    static QJsonObject inspect(const QString &what, const QString &id);

    QStringList m_made;
};

namespace {

const QString kImage = QStringLiteral("gpudeck-test:latest");

QStringList words(const char *text)
{
    return QString::fromUtf8(text).split(QLatin1Char(' '), Qt::SkipEmptyParts);
}

} // namespace

QJsonObject TestInspectedLaunch::create(const QStringList &args)
{
    const TestEngine::CliResult made = TestEngine::docker(QStringList{QStringLiteral("create")}
                                                          + args);
    if (made.exitCode != 0) {
        qWarning("docker create failed: %s", made.err.constData());
        return {};
    }
    const QString id = QString::fromUtf8(made.out.trimmed());
    m_made << id;
    return inspect(QStringLiteral("container"), id);
}

QJsonObject TestInspectedLaunch::inspect(const QString &what, const QString &id)
{
    const TestEngine::CliResult out = TestEngine::docker({what, QStringLiteral("inspect"), id});
    return QJsonDocument::fromJson(out.out).array().first().toObject();
}

void TestInspectedLaunch::sameContainerAgain_data()
{
    QTest::addColumn<QStringList>("options");
    QTest::addColumn<QStringList>("command");
    QTest::addColumn<QStringList>("notCarried");
    QTest::newRow("plain") << QStringList() << words("sh -c true") << QStringList();
    QTest::newRow("image's own command") << QStringList() << QStringList() << QStringList();
    QTest::newRow("GPUs and the process")
        << words("--gpus device=1 -e ANSWER=42 -w /tmp --user 1000:1000 --shm-size 1g "
                 "--ulimit nofile=1024:2048 -p 127.0.0.1:8080:80 -p 9000:90/udp "
                 "-v /tmp:/data:ro --rm --runtime runc")
        << words("sleep 5") << QStringList();
    QTest::newRow("all GPUs, a terminal, an entrypoint") << QStringList{
        QStringLiteral("--gpus"), QStringLiteral("all,\"capabilities=compute,utility\""),
        QStringLiteral("-it"),    QStringLiteral("--entrypoint"),
        QStringLiteral("sh"),     QStringLiteral("--ipc"),
        QStringLiteral("host"),   QStringLiteral("--network"),
        QStringLiteral("none")} << words("-c true") << QStringList();
    QTest::newRow("a count of GPUs") << words("--gpus 2") << words("true") << QStringList();
    QTest::newRow("what a launch cannot say")
        << words("--memory 256m --restart always --cap-add NET_ADMIN --label team=a "
                 "--privileged --dns 10.0.0.1")
        << words("true") << words("--cap-add --dns --label --memory --privileged --restart");
}

void TestInspectedLaunch::sameContainerAgain()
{
    QFETCH(QStringList, options);
    QFETCH(QStringList, command);
    QFETCH(QStringList, notCarried);
    const QJsonObject original = create(options + QStringList{kImage} + command);
    QVERIFY(!original.isEmpty());
    const InspectedLaunch rebuilt = InspectedLaunch::fromInspect(original,
                                                                 inspect(QStringLiteral("image"),
                                                                         kImage));
    QCOMPARE(rebuilt.notCarried, notCarried);
    QCOMPARE(rebuilt.spec.image, kImage);
    QVERIFY(rebuilt.spec.validate().isEmpty());

    // The exported line of the rebuilt launch, as docker create.
    QStringList args = DockerRunExport::arguments(rebuilt.spec, true).mid(2);
    args.removeAll(QStringLiteral("-d"));
    const QJsonObject again = create(args);
    QVERIFY2(!again.isEmpty(), qPrintable(args.join(QLatin1Char(' '))));
    const auto config = [](const QJsonObject &c) { return c[QStringLiteral("Config")].toObject(); };
    const auto host = [](const QJsonObject &c) {
        return c[QStringLiteral("HostConfig")].toObject();
    };
    for (const char *key :
         {"Image", "Cmd", "Entrypoint", "Env", "User", "WorkingDir", "Tty", "OpenStdin"})
        QVERIFY2(config(original)[QLatin1String(key)] == config(again)[QLatin1String(key)], key);
    const QStringList hostKeys = {QStringLiteral("DeviceRequests"), QStringLiteral("Binds"),
                                  QStringLiteral("PortBindings"),   QStringLiteral("ShmSize"),
                                  QStringLiteral("IpcMode"),        QStringLiteral("NetworkMode"),
                                  QStringLiteral("Ulimits"),        QStringLiteral("AutoRemove"),
                                  QStringLiteral("Runtime")};
    for (const QString &key : hostKeys) {
        const QByteArray a = QJsonDocument(QJsonObject{{key, host(original)[key]}}).toJson();
        const QByteArray b = QJsonDocument(QJsonObject{{key, host(again)[key]}}).toJson();
        QVERIFY2(a == b, QByteArray(a + " vs " + b).constData());
    }
}

void TestInspectedLaunch::imageGone()
{
    // Without the image's inspect, the container's own command and environment are kept whole.
    const QJsonObject original = create({kImage});
    QVERIFY(!original.isEmpty());
    const InspectedLaunch rebuilt = InspectedLaunch::fromInspect(original, {});
    const QJsonObject config = original[QStringLiteral("Config")].toObject();
    QCOMPARE(QJsonArray::fromStringList(rebuilt.spec.command),
             config[QStringLiteral("Cmd")].toArray());
    QCOMPARE(QJsonArray::fromStringList(rebuilt.spec.env), config[QStringLiteral("Env")].toArray());
}

QTEST_GUILESS_MAIN(TestInspectedLaunch)
#include "tst_inspected.moc"
