#include "gpu/NvidiaSmiParser.h"

#include <QFile>
#include <QTest>

namespace {

constexpr qint64 MiB = 1024 * 1024;

QByteArray fixture(const char *name)
{
    QFile f(QStringLiteral(GPUDECK_FIXTURES_DIR "/nvidia-smi/") + QLatin1String(name));
    if (!f.open(QIODevice::ReadOnly))
        qFatal("fixture %s missing", name);
    return f.readAll();
}

} // namespace

Q_DECLARE_METATYPE(GpuInfo::MigMode)

class TestNvidiaSmiParser : public QObject
{
    Q_OBJECT
private slots:
    void realCaptureWithHeaderAndUnits();
    void identityRow_data();
    void identityRow();
    void eightGpus();
    void liveFieldsOnly();
    void computeApps();
    void listWithoutMig();
    void listWithMig();
    void failureReason();
    void cudaVersion_data();
    void cudaVersion();
};

// The H100 capture was taken with --format=csv (header, units) and other fields than ours.
void TestNvidiaSmiParser::realCaptureWithHeaderAndUnits()
{
    QString driver;
    const QList<GpuInfo> gpus = NvidiaSmiParser::parseQueryGpu(fixture("h100-query-gpu.csv"),
                                                               NvidiaSmiParser::identityFields(),
                                                               &driver);
    QCOMPARE(gpus.size(), 1);
    const GpuInfo &g = gpus.first();
    QCOMPARE(g.index, 0);
    QCOMPARE(g.uuid, QStringLiteral("GPU-6bd9bc12-8874-799d-c3ad-a49e94f1b9e2"));
    QCOMPARE(g.name, QStringLiteral("NVIDIA H100 80GB HBM3"));
    QCOMPARE(g.pciBusId, QStringLiteral("00000000:00:06.0"));
    QCOMPARE(g.memoryTotal, 81559 * MiB);
    QCOMPARE(g.memoryUsed, qint64(0)); // a real zero, not unknown
    QCOMPARE(g.gpuUtil, 0);
    QCOMPARE(g.memUtil, -1); // not in that capture
    QCOMPARE(g.temperature, 36);
    QCOMPARE(g.powerDraw, 72.97);
    QCOMPARE(g.powerLimit, -1.0);
    QCOMPARE(g.migMode, GpuInfo::MigMode::Disabled);
    QCOMPARE(driver, QStringLiteral("580.159.04"));
}

void TestNvidiaSmiParser::identityRow_data()
{
    QTest::addColumn<QByteArray>("csv");
    QTest::addColumn<QString>("name");
    QTest::addColumn<qint64>("memoryUsed");
    QTest::addColumn<int>("gpuUtil");
    QTest::addColumn<int>("temperature");
    QTest::addColumn<double>("powerDraw");
    QTest::addColumn<double>("powerLimit");
    QTest::addColumn<GpuInfo::MigMode>("mig");

    QTest::newRow("noheader,nounits")
        << QByteArray("0, GPU-a, NVIDIA H100 80GB HBM3, 00000000:00:06.0, 81559, 1024, 37, 5, 36, "
                      "72.97, 700.00, Disabled, 580.159.04\n")
        << "NVIDIA H100 80GB HBM3" << 1024 * MiB << 37 << 36 << 72.97 << 700.0
        << GpuInfo::MigMode::Disabled;
    QTest::newRow("N/A and Not Supported are unknown, never 0")
        << QByteArray("0, GPU-a, Tesla K80, 00000000:04:00.0, 11441, [N/A], [Not Supported], "
                      "[Not Supported], [N/A], [N/A], [Not Supported], [N/A], 470.82.01\n")
        << "Tesla K80" << qint64(-1) << -1 << -1 << -1.0 << -1.0 << GpuInfo::MigMode::Unknown;
    QTest::newRow("bare N/A and Unknown Error")
        << QByteArray("0, GPU-a, T4, 0:1:0.0, 15360, N/A, [Unknown Error], 3, N/A, 27.1, N/A, "
                      "N/A, 535.1\n")
        << "T4" << qint64(-1) << -1 << -1 << 27.1 << -1.0 << GpuInfo::MigMode::Unknown;
    QTest::newRow("missing trailing columns")
        << QByteArray("0, GPU-a, NVIDIA A10\n") << "NVIDIA A10" << qint64(-1) << -1 << -1 << -1.0
        << -1.0 << GpuInfo::MigMode::Unknown;
    QTest::newRow("MIG on, CRLF") << QByteArray(
        "0, GPU-a, NVIDIA A100-SXM4-40GB, 00000000:07:00.0, 40960, 0, [N/A], [N/A], "
        "29, 55.5, 400.00, Enabled, 580.1\r\n")
                                  << "NVIDIA A100-SXM4-40GB" << qint64(0) << -1 << 29 << 55.5
                                  << 400.0 << GpuInfo::MigMode::Enabled;
    QTest::newRow("name with a comma")
        << QByteArray("0, GPU-a, Odd, Name, 0:1:0.0, 100, 1, 2, 3, 4, 5, 6, Disabled, 1.0, "
                      "1410 MHz\n")
        << "Odd, Name" << 1 * MiB << 2 << 4 << 5.0 << 6.0 << GpuInfo::MigMode::Disabled;
}

void TestNvidiaSmiParser::identityRow()
{
    QFETCH(QByteArray, csv);
    const QList<GpuInfo> gpus = NvidiaSmiParser::parseQueryGpu(csv,
                                                               NvidiaSmiParser::identityFields());
    QCOMPARE(gpus.size(), 1);
    const GpuInfo &g = gpus.first();
    QCOMPARE(g.index, 0);
    QCOMPARE(g.uuid, QStringLiteral("GPU-a"));
    QTEST(g.name, "name");
    QTEST(g.memoryUsed, "memoryUsed");
    QTEST(g.gpuUtil, "gpuUtil");
    QTEST(g.temperature, "temperature");
    QTEST(g.powerDraw, "powerDraw");
    QTEST(g.powerLimit, "powerLimit");
    QTEST(g.migMode, "mig");
}

void TestNvidiaSmiParser::eightGpus()
{
    QByteArray csv;
    for (int i = 0; i < 8; ++i) {
        csv += QByteArray::number(i) + ", GPU-" + QByteArray::number(i)
               + ", NVIDIA H100 80GB HBM3, 00000000:" + QByteArray::number(10 + i)
               + ":00.0, 81559, " + QByteArray::number(i * 100) + ", " + QByteArray::number(i * 10)
               + ", 1, 40, 100.5, 700, Disabled, 580.159.04\n";
    }
    QString driver;
    const QList<GpuInfo> gpus = NvidiaSmiParser::parseQueryGpu(csv,
                                                               NvidiaSmiParser::identityFields(),
                                                               &driver);
    QCOMPARE(gpus.size(), 8);
    for (int i = 0; i < 8; ++i) {
        QCOMPARE(gpus.at(i).index, i);
        QCOMPARE(gpus.at(i).uuid, QStringLiteral("GPU-%1").arg(i));
        QCOMPARE(gpus.at(i).memoryUsed, i * 100 * MiB);
        QCOMPARE(gpus.at(i).gpuUtil, i * 10);
    }
    QCOMPARE(driver, QStringLiteral("580.159.04"));
}

void TestNvidiaSmiParser::liveFieldsOnly()
{
    const QList<GpuInfo> gpus = NvidiaSmiParser::parseQueryGpu(
        "1, 2048, 50, 10, 41, 300.25, 700.00, 1980 MHz\n", NvidiaSmiParser::liveFields());
    QCOMPARE(gpus.size(), 1);
    QCOMPARE(gpus.first().index, 1);
    QCOMPARE(gpus.first().memoryUsed, 2048 * MiB);
    QCOMPARE(gpus.first().memUtil, 10);
    QCOMPARE(gpus.first().powerLimit, 700.0);
    QCOMPARE(gpus.first().smClock, 1980);
    QVERIFY(gpus.first().uuid.isEmpty());
}

void TestNvidiaSmiParser::computeApps()
{
    const auto byGpu = NvidiaSmiParser::parseComputeApps(
        "GPU-a, 1234, 512\nGPU-a, 99, [N/A]\nGPU-b, 7, 100 MiB\n[N/A], 5, 1\n");
    QCOMPARE(byGpu.size(), 2);
    QCOMPARE(byGpu.value(QStringLiteral("GPU-a")).size(), 2);
    QCOMPARE(byGpu.value(QStringLiteral("GPU-a")).at(0).pid, qint64(1234));
    QCOMPARE(byGpu.value(QStringLiteral("GPU-a")).at(0).usedMemory, 512 * MiB);
    QCOMPARE(byGpu.value(QStringLiteral("GPU-a")).at(1).usedMemory, qint64(-1));
    QCOMPARE(byGpu.value(QStringLiteral("GPU-b")).at(0).usedMemory, 100 * MiB);
    QVERIFY(NvidiaSmiParser::parseComputeApps("").isEmpty());
    QVERIFY(NvidiaSmiParser::parseComputeApps("gpu_uuid, pid, used_gpu_memory [MiB]\n").isEmpty());
}

void TestNvidiaSmiParser::listWithoutMig()
{
    QVERIFY(NvidiaSmiParser::parseList(fixture("h100-L.txt")).isEmpty());
}

void TestNvidiaSmiParser::listWithMig()
{
    const QByteArray text =
        "GPU 0: NVIDIA A100-SXM4-40GB (UUID: GPU-5d5ba0d6-d33d-2b2c-524d-9e3d8d2b8a77)\n"
        "  MIG 3g.20gb     Device  0: (UUID: MIG-c6d4f1ef-42e4-5de3-91c7-45d71c87eb3f)\n"
        "  MIG 1g.5gb      Device  1: (UUID: MIG-0b1f0e8e-4a4a-5d2e-9c1f-2b6b0f6c1d9a)\n"
        "GPU 1: NVIDIA A100-SXM4-40GB (UUID: GPU-11111111-2222-3333-4444-555555555555)\n";
    const auto migs = NvidiaSmiParser::parseList(text);
    QCOMPARE(migs.size(), 1);
    const QList<GpuInfo::MigDevice> list = migs.value(0);
    QCOMPARE(list.size(), 2);
    QCOMPARE(list.at(1).indexName, QStringLiteral("0:1"));
    QCOMPARE(list.at(1).uuid, QStringLiteral("MIG-0b1f0e8e-4a4a-5d2e-9c1f-2b6b0f6c1d9a"));
    QCOMPARE(list.at(0).name, QStringLiteral("NVIDIA A100-SXM4-40GB MIG 3g.20gb"));
}

void TestNvidiaSmiParser::failureReason()
{
    QCOMPARE(
        NvidiaSmiParser::failureReason(
            "\nNVIDIA-SMI has failed because it couldn't communicate with the NVIDIA driver.\n"),
        QStringLiteral("NVIDIA-SMI has failed because it couldn't communicate with the "
                       "NVIDIA driver"));
}

QTEST_GUILESS_MAIN(TestNvidiaSmiParser)
#include "tst_nvidiasmiparser.moc"

void TestNvidiaSmiParser::cudaVersion_data()
{
    QTest::addColumn<QByteArray>("output");
    QTest::addColumn<QString>("expected");
    QTest::newRow("H100 table header") << fixture("h100-table.txt") << QStringLiteral("13.0");
    QTest::newRow("H100 -q -x") << fixture("h100-q-x.xml") << QStringLiteral("13.0");
    QTest::newRow("older driver, two digits") << QByteArray(
        "| NVIDIA-SMI 535.183.01   Driver Version: 535.183.01   CUDA Version: 12.2     |\n")
                                              << QStringLiteral("12.2");
    QTest::newRow("CSV has none") << fixture("h100-query-gpu.csv") << QString();
    QTest::newRow("N/A") << QByteArray("CUDA Version: N/A") << QString();
}

void TestNvidiaSmiParser::cudaVersion()
{
    QFETCH(QByteArray, output);
    QFETCH(QString, expected);
    QCOMPARE(NvidiaSmiParser::cudaVersion(output), expected);
}
