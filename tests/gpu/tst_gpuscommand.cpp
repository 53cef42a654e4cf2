#include "FakeSmi.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QTest>

// `gpudeck gpus` end to end: the built binary, with the NVML override in its environment.
namespace {

struct Run
{
    int code = -1;
    QByteArray out;
    QByteArray err;
};

Run gpudeck(const QStringList &args, const QProcessEnvironment &env)
{
    QProcess p;
    p.setProcessEnvironment(env);
    p.start(QStringLiteral(GPUDECK_BINARY), QStringList{QStringLiteral("gpus")} + args);
    Run r;
    if (!p.waitForFinished(20000))
        return r;
    r.code = p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1;
    r.out = p.readAllStandardOutput();
    r.err = p.readAllStandardError();
    return r;
}

QProcessEnvironment fakeNvml(const QString &scenario)
{
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert(QStringLiteral("GPUDECK_NVML_PATH"), QStringLiteral(GPUDECK_FAKE_NVML));
    env.insert(QStringLiteral("GPUDECK_FAKE_NVML_SCENARIO"), scenario);
    return env;
}

QProcessEnvironment noDriver(const QString &emptyDir)
{
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert(QStringLiteral("GPUDECK_NVML_PATH"),
               QStringLiteral("/nonexistent/libnvidia-ml.so.1"));
    env.insert(QStringLiteral("PATH"), emptyDir);
    return env;
}

} // namespace

class TestGpusCommand : public QObject
{
    Q_OBJECT
private slots:
    void jsonCarriesEveryField();
    void tableIsReadable();
    void noDriverTable();
    void noDriverJson();
    void badOption();
};

void TestGpusCommand::jsonCarriesEveryField()
{
    const Run r = gpudeck({QStringLiteral("--json")}, fakeNvml(QStringLiteral("mig")));
    QCOMPARE(r.code, 0);
    QJsonParseError pe;
    const QJsonObject o = QJsonDocument::fromJson(r.out, &pe).object();
    QCOMPARE(pe.error, QJsonParseError::NoError);
    QCOMPARE(o.value(QStringLiteral("source")).toString(), QStringLiteral("nvml"));
    QCOMPARE(o.value(QStringLiteral("driverVersion")).toString(), QStringLiteral("580.159.04"));
    QCOMPARE(o.value(QStringLiteral("cudaVersion")).toString(), QStringLiteral("13.0"));
    QVERIFY(o.value(QStringLiteral("error")).isNull());
    const QJsonArray gpus = o.value(QStringLiteral("gpus")).toArray();
    QCOMPARE(gpus.size(), 2);
    const QJsonObject g = gpus.at(0).toObject();
    for (const char *key :
         {"index", "uuid", "name", "pciBusId", "memoryTotalBytes", "memoryUsedBytes",
          "gpuUtilPercent", "memUtilPercent", "temperatureC", "powerDrawW", "powerLimitW",
          "migMode", "migDevices", "processes", "error"})
        QVERIFY2(g.contains(QLatin1String(key)), key);
    QCOMPARE(g.value(QStringLiteral("memoryTotalBytes")).toDouble(), 81559.0 * 1024 * 1024);
    QCOMPARE(g.value(QStringLiteral("powerDrawW")).toDouble(), 72.97);
    QCOMPARE(g.value(QStringLiteral("migMode")).toString(), QStringLiteral("enabled"));
    const QJsonObject mig = g.value(QStringLiteral("migDevices")).toArray().at(1).toObject();
    QCOMPARE(mig.value(QStringLiteral("indexName")).toString(), QStringLiteral("0:2"));
    QVERIFY(mig.value(QStringLiteral("uuid")).toString().startsWith(QLatin1String("MIG-")));
    QVERIFY(g.value(QStringLiteral("processes")).isArray());
}

void TestGpusCommand::tableIsReadable()
{
    const Run r = gpudeck({}, fakeNvml(QStringLiteral("eight")));
    QCOMPARE(r.code, 0);
    const QString out = QString::fromUtf8(r.out);
    QVERIFY2(out.contains(QLatin1String("NVIDIA driver 580.159.04, CUDA 13.0")), r.out.constData());
    QVERIFY(out.contains(QLatin1String("GPU-00000000-0000-0000-0000-000000000070")));
    QVERIFY(out.contains(QLatin1String("1024 / 81559 MiB")));
    QCOMPARE(out.count(QLatin1String("NVIDIA H100 80GB HBM3")), 8);
    QVERIFY(r.err.isEmpty());
}

void TestGpusCommand::noDriverTable()
{
    QTemporaryDir empty;
    const Run r = gpudeck({}, noDriver(empty.path()));
    QCOMPARE(r.code, 1);
    QVERIFY(r.out.isEmpty());
    QVERIFY2(r.err.startsWith("gpudeck: no NVIDIA driver found: "), r.err.constData());
    QCOMPARE(r.err.count('\n'), 1); // one sentence
}

void TestGpusCommand::noDriverJson()
{
    QTemporaryDir empty;
    const Run r = gpudeck({QStringLiteral("--json")}, noDriver(empty.path()));
    QCOMPARE(r.code, 1);
    const QJsonObject o = QJsonDocument::fromJson(r.out).object();
    QCOMPARE(o.value(QStringLiteral("source")).toString(), QStringLiteral("none"));
    QCOMPARE(o.value(QStringLiteral("gpus")).toArray().size(), 0);
    const QJsonObject e = o.value(QStringLiteral("error")).toObject();
    QCOMPARE(e.value(QStringLiteral("code")).toString(), QStringLiteral("NoDriver"));
    QVERIFY(e.value(QStringLiteral("message"))
                .toString()
                .startsWith(QLatin1String("no NVIDIA driver found: ")));
}

void TestGpusCommand::badOption()
{
    const Run r = gpudeck({QStringLiteral("--yaml")}, fakeNvml(QStringLiteral("two")));
    QCOMPARE(r.code, 2);
}

QTEST_GUILESS_MAIN(TestGpusCommand)
#include "tst_gpuscommand.moc"
