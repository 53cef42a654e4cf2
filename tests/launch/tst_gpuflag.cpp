#include "launch/DockerCreateBody.h"
#include "launch/DockerRunExport.h"
#include "launch/GpuFlag.h"
#include "launch/LaunchSpec.h"

#include <QJsonDocument>
#include <QtTest>

// The docker CLI's --gpus conformance table: the value as docker receives it, the selection it
// means, and the DeviceRequests the CLI sends for it (docker/cli opts/gpus.go).
class TestGpuFlag : public QObject
{
    Q_OBJECT

private slots:
    void conformance_data();
    void conformance();
    void refused_data();
    void refused();
    void formatted_data();
    void formatted();
    void csv();
};

static QJsonArray requests(const char *text)
{
    QJsonParseError error;
    const QJsonDocument doc = QJsonDocument::fromJson(QByteArray(text), &error);
    if (error.error != QJsonParseError::NoError || !doc.isArray())
        qFatal("bad JSON in test: %s", text);
    return doc.array();
}

void TestGpuFlag::conformance_data()
{
    QTest::addColumn<QString>("flag");
    QTest::addColumn<int>("mode");
    QTest::addColumn<int>("count");
    QTest::addColumn<QStringList>("devices");
    QTest::addColumn<QStringList>("capabilities");
    QTest::addColumn<QString>("driver");
    QTest::addColumn<QJsonArray>("expected");

    using M = GpuSelection::Mode;
    const auto row = [](const char *name, const char *flag, M mode, int count,
                        const QStringList &devices, const QStringList &caps, const char *driver,
                        const char *json) {
        QTest::newRow(name) << QString::fromUtf8(flag) << int(mode) << count << devices << caps
                            << QString::fromUtf8(driver) << requests(json);
    };
    const QStringList none;
    const QStringList computeUtility = {QStringLiteral("compute"), QStringLiteral("utility")};

    row("all", "all", M::All, 1, none, none, "",
        R"([{"Driver":"","Count":-1,"DeviceIDs":null,"Capabilities":[["gpu"]],"Options":{}}])");
    row("count bare", "2", M::Count, 2, none, none, "",
        R"([{"Driver":"","Count":2,"DeviceIDs":null,"Capabilities":[["gpu"]],"Options":{}}])");
    row("count key", "count=3", M::Count, 3, none, none, "",
        R"([{"Driver":"","Count":3,"DeviceIDs":null,"Capabilities":[["gpu"]],"Options":{}}])");
    row("count=all", "count=all", M::All, 1, none, none, "",
        R"([{"Driver":"","Count":-1,"DeviceIDs":null,"Capabilities":[["gpu"]],"Options":{}}])");
    row("count -1", "-1", M::All, 1, none, none, "",
        R"([{"Driver":"","Count":-1,"DeviceIDs":null,"Capabilities":[["gpu"]],"Options":{}}])");
    row("one device", "device=1", M::Devices, 1, {QStringLiteral("1")}, none, "",
        R"([{"Driver":"","Count":0,"DeviceIDs":["1"],"Capabilities":[["gpu"]],"Options":{}}])");
    row("quoted device list", "\"device=0,2\"", M::Devices, 1,
        {QStringLiteral("0"), QStringLiteral("2")}, none, "",
        R"([{"Driver":"","Count":0,"DeviceIDs":["0","2"],"Capabilities":[["gpu"]],"Options":{}}])");
    row("gpu uuid", "device=GPU-6bd9a4f2-1111-2222-3333-444455556666", M::Devices, 1,
        {QStringLiteral("GPU-6bd9a4f2-1111-2222-3333-444455556666")}, none, "",
        R"([{"Driver":"","Count":0,"DeviceIDs":["GPU-6bd9a4f2-1111-2222-3333-444455556666"],
            "Capabilities":[["gpu"]],"Options":{}}])");
    row("mig uuid and index", "\"device=MIG-1b2c3d4e-aaaa-bbbb-cccc-ddddeeeeffff,0:1\"", M::Devices,
        1, {QStringLiteral("MIG-1b2c3d4e-aaaa-bbbb-cccc-ddddeeeeffff"), QStringLiteral("0:1")},
        none, "",
        R"([{"Driver":"","Count":0,"DeviceIDs":["MIG-1b2c3d4e-aaaa-bbbb-cccc-ddddeeeeffff","0:1"],
            "Capabilities":[["gpu"]],"Options":{}}])");
    row("capabilities and devices", "\"capabilities=compute,utility\",\"device=0,1\"", M::Devices,
        1, {QStringLiteral("0"), QStringLiteral("1")}, computeUtility, "",
        R"([{"Driver":"","Count":0,"DeviceIDs":["0","1"],"Capabilities":[["compute","utility","gpu"]],"Options":{}}])");
    row("all with capabilities", "all,\"capabilities=compute,utility\"", M::All, 1, none,
        computeUtility, "",
        R"([{"Driver":"","Count":-1,"DeviceIDs":null,"Capabilities":[["compute","utility","gpu"]],"Options":{}}])");
    row("capabilities alone means one gpu", "capabilities=utility", M::Count, 1, none,
        {QStringLiteral("utility")}, "",
        R"([{"Driver":"","Count":1,"DeviceIDs":null,"Capabilities":[["utility","gpu"]],"Options":{}}])");
    row("driver nvidia", "driver=nvidia,all", M::All, 1, none, none, "nvidia",
        R"([{"Driver":"nvidia","Count":-1,"DeviceIDs":null,"Capabilities":[["gpu"]],"Options":{}}])");
    row("driver, count, capability", "count=2,driver=nvidia,capabilities=video", M::Count, 2, none,
        {QStringLiteral("video")}, "nvidia",
        R"([{"Driver":"nvidia","Count":2,"DeviceIDs":null,"Capabilities":[["video","gpu"]],"Options":{}}])");
    row("escaped quote inside quotes", "\"device=a\"\"b\"", M::Devices, 1, {QStringLiteral("a\"b")},
        none, "",
        R"([{"Driver":"","Count":0,"DeviceIDs":["a\"b"],"Capabilities":[["gpu"]],"Options":{}}])");
}

void TestGpuFlag::conformance()
{
    QFETCH(QString, flag);
    QFETCH(int, mode);
    QFETCH(int, count);
    QFETCH(QStringList, devices);
    QFETCH(QStringList, capabilities);
    QFETCH(QString, driver);
    QFETCH(QJsonArray, expected);

    const auto parsed = GpuFlag::parse(flag);
    QVERIFY2(parsed.ok(), qPrintable(parsed.error().message()));
    QCOMPARE(int(parsed.value().gpus.mode), mode);
    if (GpuSelection::Mode(mode) == GpuSelection::Mode::Count)
        QCOMPARE(parsed.value().gpus.count, count);
    QCOMPARE(parsed.value().gpus.devices, devices);
    QCOMPARE(parsed.value().capabilities, capabilities);
    QCOMPARE(parsed.value().driver, driver);

    LaunchSpec spec;
    spec.image = QStringLiteral("busybox");
    parsed.value().applyTo(spec);
    QCOMPARE(DockerCreateBody::deviceRequests(spec), expected);
    QCOMPARE(DockerCreateBody::build(spec)
                 .value(QStringLiteral("HostConfig"))
                 .toObject()
                 .value(QStringLiteral("DeviceRequests"))
                 .toArray(),
             expected);

    // The inverse: what the export writes reads back as the same request.
    const QString formatted = GpuFlag::format(spec);
    const auto reparsed = GpuFlag::parse(formatted);
    QVERIFY2(reparsed.ok(), qPrintable(formatted));
    LaunchSpec again;
    reparsed.value().applyTo(again);
    QCOMPARE(DockerCreateBody::deviceRequests(again), expected);
    QCOMPARE(again.gpus, spec.gpus);
}

void TestGpuFlag::refused_data()
{
    QTest::addColumn<QString>("flag");
    QTest::addColumn<QString>("needle");
    QTest::newRow("unquoted device list")
        << QStringLiteral("device=0,2") << QStringLiteral("'\"device=0,2\"'");
    QTest::newRow("unquoted three devices")
        << QStringLiteral("device=0,1,2") << QStringLiteral("Quote");
    QTest::newRow("count and devices")
        << QStringLiteral("count=2,device=0") << QStringLiteral("together");
    QTest::newRow("empty") << QString() << QStringLiteral("empty");
    QTest::newRow("zero") << QStringLiteral("0") << QStringLiteral("at least 1");
    QTest::newRow("word") << QStringLiteral("two") << QStringLiteral("'two'");
    QTest::newRow("unknown key") << QStringLiteral("bogus=1") << QStringLiteral("bogus");
    QTest::newRow("repeated key") << QStringLiteral("driver=a,driver=b")
                                  << QStringLiteral("more than once");
    QTest::newRow("all twice") << QStringLiteral("all,all") << QStringLiteral("more than once");
    QTest::newRow("options") << QStringLiteral("options=a=b") << QStringLiteral("options");
    QTest::newRow("unclosed quote") << QStringLiteral("\"device=0") << QStringLiteral("\"");
    QTest::newRow("bare quote") << QStringLiteral("dev\"ice=0") << QStringLiteral("\"");
    QTest::newRow("empty device") << QStringLiteral("\"device=0,\"") << QStringLiteral("empty");
}

void TestGpuFlag::refused()
{
    QFETCH(QString, flag);
    QFETCH(QString, needle);
    const auto parsed = GpuFlag::parse(flag);
    QVERIFY(!parsed.ok());
    QVERIFY2(parsed.error().message().contains(needle), qPrintable(parsed.error().message()));
}

void TestGpuFlag::formatted_data()
{
    QTest::addColumn<int>("mode");
    QTest::addColumn<QStringList>("devices");
    QTest::addColumn<QStringList>("caps");
    QTest::addColumn<QString>("driver");
    QTest::addColumn<QString>("shellWords");
    using M = GpuSelection::Mode;
    QTest::newRow("all") << int(M::All) << QStringList() << QStringList() << QString()
                         << QStringLiteral("--gpus all");
    QTest::newRow("devices") << int(M::Devices)
                             << QStringList{QStringLiteral("0"), QStringLiteral("2")}
                             << QStringList() << QString()
                             << QStringLiteral("--gpus '\"device=0,2\"'");
    QTest::newRow("one device") << int(M::Devices) << QStringList{QStringLiteral("1")}
                                << QStringList() << QString() << QStringLiteral("--gpus device=1");
    QTest::newRow("caps") << int(M::Devices)
                          << QStringList{QStringLiteral("0"), QStringLiteral("1")}
                          << QStringList{QStringLiteral("compute"), QStringLiteral("utility")}
                          << QString()
                          << QStringLiteral(
                                 "--gpus '\"device=0,1\",\"capabilities=compute,utility\"'");
    QTest::newRow("driver") << int(M::All) << QStringList() << QStringList{QStringLiteral("gpu")}
                            << QStringLiteral("nvidia")
                            << QStringLiteral("--gpus all,driver=nvidia");
    QTest::newRow("cdi uses --device")
        << int(M::Devices) << QStringList{QStringLiteral("nvidia.com/gpu=0")} << QStringList()
        << QStringLiteral("cdi") << QStringLiteral("--device nvidia.com/gpu=0");
}

void TestGpuFlag::formatted()
{
    QFETCH(int, mode);
    QFETCH(QStringList, devices);
    QFETCH(QStringList, caps);
    QFETCH(QString, driver);
    QFETCH(QString, shellWords);
    LaunchSpec spec;
    spec.image = QStringLiteral("busybox");
    spec.gpus.mode = GpuSelection::Mode(mode);
    spec.gpus.devices = devices;
    spec.capabilities = caps;
    spec.deviceDriver = driver;
    const QString line = DockerRunExport::commandLine(spec, false);
    QVERIFY2(line.contains(QLatin1Char(' ') + shellWords + QLatin1Char(' ')), qPrintable(line));
}

void TestGpuFlag::csv()
{
    const QStringList fields = {QStringLiteral("a"), QStringLiteral("b,c"), QStringLiteral("d\"e"),
                                QString(), QStringLiteral(" lead")};
    const QString joined = GpuFlag::joinCsv(fields);
    QCOMPARE(joined, QStringLiteral("a,\"b,c\",\"d\"\"e\",,\" lead\""));
    const auto split = GpuFlag::splitCsv(joined);
    QVERIFY(split.ok());
    QCOMPARE(split.value(), fields);
}

QTEST_GUILESS_MAIN(TestGpuFlag)
#include "tst_gpuflag.moc"
