// The image's CUDA requirement against a driver, by the NVIDIA Container Toolkit's rules: the
// NVIDIA_REQUIRE_CUDA values of real nvidia/cuda images (12.4, 11.8, 13.0) on real drivers, the
// operators and version forms, malformed expressions, and what the environment turns on or off.
#include "gpu/GpuSnapshot.h"
#include "launch/CudaRequirement.h"

#include <QTest>

namespace {

// Real values, as `docker inspect` prints them for the images named.
// nvidia/cuda:12.4.0-devel-ubuntu22.04 (the base of vllm/vllm-openai:v0.8.5)
const QString kCuda124 = QStringLiteral(
    "cuda>=12.4 brand=tesla,driver>=470,driver<471 brand=unknown,driver>=470,driver<471 "
    "brand=nvidia,driver>=470,driver<471 brand=nvidiartx,driver>=470,driver<471 "
    "brand=geforce,driver>=470,driver<471 "
    "brand=geforcertx,driver>=470,driver<471 brand=quadro,driver>=470,driver<471 "
    "brand=quadrortx,driver>=470,driver<471 "
    "brand=titan,driver>=470,driver<471 brand=titanrtx,driver>=470,driver<471 "
    "brand=tesla,driver>=525,driver<526 "
    "brand=unknown,driver>=525,driver<526 brand=nvidia,driver>=525,driver<526 "
    "brand=nvidiartx,driver>=525,driver<526 "
    "brand=geforce,driver>=525,driver<526 brand=geforcertx,driver>=525,driver<526 "
    "brand=quadro,driver>=525,driver<526 "
    "brand=quadrortx,driver>=525,driver<526 brand=titan,driver>=525,driver<526 "
    "brand=titanrtx,driver>=525,driver<526 "
    "brand=tesla,driver>=535,driver<536 brand=unknown,driver>=535,driver<536 "
    "brand=nvidia,driver>=535,driver<536 "
    "brand=nvidiartx,driver>=535,driver<536 brand=geforce,driver>=535,driver<536 "
    "brand=geforcertx,driver>=535,driver<536 "
    "brand=quadro,driver>=535,driver<536 brand=quadrortx,driver>=535,driver<536 "
    "brand=titan,driver>=535,driver<536 "
    "brand=titanrtx,driver>=535,driver<536");
// nvidia/cuda:11.8.0-base-ubuntu20.04
const QString kCuda118 = QStringLiteral(
    "cuda>=11.8 brand=tesla,driver>=470,driver<471 brand=unknown,driver>=470,driver<471 "
    "brand=nvidia,driver>=470,driver<471 brand=nvidiartx,driver>=470,driver<471 "
    "brand=geforce,driver>=470,driver<471 "
    "brand=geforcertx,driver>=470,driver<471 brand=quadro,driver>=470,driver<471 "
    "brand=quadrortx,driver>=470,driver<471 "
    "brand=titan,driver>=470,driver<471 brand=titanrtx,driver>=470,driver<471");
// nvidia/cuda:13.0.x images (the head of the value; the rest repeats the 535 branch per brand)
const QString kCuda130 = QStringLiteral(
    "cuda>=13.0 brand=unknown,driver>=535,driver<536 brand=grid,driver>=535,driver<536 "
    "brand=tesla,driver>=535,driver<536 brand=nvidia,driver>=535,driver<536 "
    "brand=quadro,driver>=535,driver<536 "
    "brand=quadrortx,driver>=535,driver<536 brand=nvidiartx,driver>=535,driver<536 "
    "brand=vapps,driver>=535,driver<536 "
    "brand=vpc,driver>=535,driver<536 brand=vcs,driver>=535,driver<536 "
    "brand=vws,driver>=535,driver<536");

} // namespace

class TestCudaRequirement : public QObject
{
    Q_OBJECT

private slots:
    void evaluate_data();
    void evaluate();
    void invalid_data();
    void invalid();
    void fromEnv();
    void disableRequire_data();
    void disableRequire();
    void refusalNamesBothVersions();
    void unknownDriverIsNoRefusal();
};

void TestCudaRequirement::evaluate_data()
{
    QTest::addColumn<QString>("expression");
    QTest::addColumn<QString>("cuda");
    QTest::addColumn<QString>("driver");
    QTest::addColumn<bool>("met");
    QTest::addColumn<QString>("failed");

    const auto row = [](const char *name, const QString &expression, const QString &cuda,
                        const QString &driver, bool met, const QString &failed) {
        QTest::newRow(name) << expression << cuda << driver << met << failed;
    };
    row("12.4 image, H100 driver 580 (CUDA 13.0)", kCuda124, QStringLiteral("13.0"),
        QStringLiteral("580.159.04"), true, QStringLiteral(""));
    row("12.4 image, driver 550 (CUDA 12.4)", kCuda124, QStringLiteral("12.4"),
        QStringLiteral("550.54.15"), true, QStringLiteral(""));
    row("12.4 image, driver 545 (CUDA 12.3)", kCuda124, QStringLiteral("12.3"),
        QStringLiteral("545.23.08"), false, QStringLiteral("cuda>=12.4"));
    row("12.4 image, datacenter driver 535 (compat branch)", kCuda124, QStringLiteral("12.2"),
        QStringLiteral("535.183.01"), true, QStringLiteral(""));
    row("12.4 image, driver 470 (compat branch)", kCuda124, QStringLiteral("11.4"),
        QStringLiteral("470.256.02"), true, QStringLiteral(""));
    row("12.4 image, driver 510 (no branch)", kCuda124, QStringLiteral("11.6"),
        QStringLiteral("510.47.03"), false, QStringLiteral("cuda>=12.4"));
    row("11.8 image, driver 580", kCuda118, QStringLiteral("13.0"), QStringLiteral("580.159.04"),
        true, QStringLiteral(""));
    row("11.8 image, driver 515 (CUDA 11.7)", kCuda118, QStringLiteral("11.7"),
        QStringLiteral("515.105.01"), false, QStringLiteral("cuda>=11.8"));
    row("11.8 image, driver 470.82 (compat branch)", kCuda118, QStringLiteral("11.4"),
        QStringLiteral("470.82.01"), true, QStringLiteral(""));
    row("13.0 image, driver 580 (CUDA 13.0)", kCuda130, QStringLiteral("13.0"),
        QStringLiteral("580.159.04"), true, QStringLiteral(""));
    row("13.0 image, driver 575 (CUDA 12.9)", kCuda130, QStringLiteral("12.9"),
        QStringLiteral("575.57.08"), false, QStringLiteral("cuda>=13.0"));
    row("13.0 image, driver 535 (compat branch)", kCuda130, QStringLiteral("12.2"),
        QStringLiteral("535.247.01"), true, QStringLiteral(""));
    row("cuda>=13.1 on CUDA 13.0", QStringLiteral("cuda>=13.1"), QStringLiteral("13.0"),
        QStringLiteral("580.159.04"), false, QStringLiteral("cuda>=13.1"));
    row("space is or: driver alternative", QStringLiteral("cuda>=13.0 driver>=580.95.05"),
        QStringLiteral("12.9"), QStringLiteral("580.95.05"), true, QStringLiteral(""));
    row("space is or: neither", QStringLiteral("cuda>=13.0 driver>=580.95.05"),
        QStringLiteral("12.9"), QStringLiteral("575.57.08"), false, QStringLiteral("cuda>=13.0"));
    row("comma is and: both", QStringLiteral("cuda>=12.0,driver>=550"), QStringLiteral("12.4"),
        QStringLiteral("550.54.15"), true, QStringLiteral(""));
    row("comma is and: one fails", QStringLiteral("cuda>=12.0,driver>=560"), QStringLiteral("12.4"),
        QStringLiteral("550.54.15"), false, QStringLiteral("driver>=560"));
    row("13 equals 13.0", QStringLiteral("cuda>=13"), QStringLiteral("13.0"),
        QStringLiteral("580.159.04"), true, QStringLiteral(""));
    row("13.0.0 equals 13.0", QStringLiteral("cuda=13.0.0"), QStringLiteral("13.0"),
        QStringLiteral("580.159.04"), true, QStringLiteral(""));
    row("numbers, not text: 580.159 > 580.95", QStringLiteral("driver>580.95"),
        QStringLiteral("13.0"), QStringLiteral("580.159.04"), true, QStringLiteral(""));
    row("less than", QStringLiteral("cuda<13"), QStringLiteral("12.8"), QStringLiteral("570.86"),
        true, QStringLiteral(""));
    row("not equal", QStringLiteral("driver!=580.159.04"), QStringLiteral("13.0"),
        QStringLiteral("580.159.04"), false, QStringLiteral("driver!=580.159.04"));
    row("names in any case", QStringLiteral("CUDA>=13.1"), QStringLiteral("13.0"),
        QStringLiteral("580.159.04"), false, QStringLiteral("CUDA>=13.1"));
    row("brand is not read: met", QStringLiteral("brand=tesla"), QStringLiteral("13.0"),
        QStringLiteral("580.159.04"), true, QStringLiteral(""));
    row("arch is not read: met", QStringLiteral("arch>=9.0"), QStringLiteral("13.0"),
        QStringLiteral("580.159.04"), true, QStringLiteral(""));
    row("unknown CUDA version: met", QStringLiteral("cuda>=99.0"), QStringLiteral(""),
        QStringLiteral("580.159.04"), true, QStringLiteral(""));
    row("empty expression", QStringLiteral(""), QStringLiteral("13.0"),
        QStringLiteral("580.159.04"), true, QStringLiteral(""));
    row("extra spaces and commas", QStringLiteral("  cuda>=12.0,,  "), QStringLiteral("13.0"),
        QStringLiteral("580.159.04"), true, QStringLiteral(""));
}

void TestCudaRequirement::evaluate()
{
    QFETCH(QString, expression);
    QFETCH(QString, cuda);
    QFETCH(QString, driver);
    QFETCH(bool, met);
    QFETCH(QString, failed);
    QString firstFailure = QStringLiteral("untouched");
    const Result<bool> result = CudaRequirement::evaluate(expression, cuda, driver, &firstFailure);
    QVERIFY2(result.ok(), qPrintable(result.error().message()));
    QCOMPARE(result.value(), met);
    QCOMPARE(firstFailure, failed);
}

void TestCudaRequirement::invalid_data()
{
    QTest::addColumn<QString>("expression");
    QTest::newRow("unknown operator") << QStringLiteral("cuda>>13.0");
    QTest::newRow("unknown name") << QStringLiteral("gpu>=1");
    QTest::newRow("no value") << QStringLiteral("cuda>=");
    QTest::newRow("no operator") << QStringLiteral("cuda");
    QTest::newRow("not a version") << QStringLiteral("cuda>=13.x");
    QTest::newRow("brand ordered") << QStringLiteral("brand>tesla");
    QTest::newRow("bad word after a good one") << QStringLiteral("cuda>=12.0 bogus");
}

void TestCudaRequirement::invalid()
{
    QFETCH(QString, expression);
    // A driver that fails the first alternative, so that evaluation reaches every word.
    const Result<bool> result = CudaRequirement::evaluate(expression, QStringLiteral("11.0"),
                                                          QStringLiteral("450.80"));
    QVERIFY(!result.ok());
    QCOMPARE(result.error().code(), Error::Code::Validation);
    QVERIFY2(result.error().message().contains(expression.trimmed()),
             qPrintable(result.error().message()));
}

void TestCudaRequirement::fromEnv()
{
    // A legacy image: CUDA_VERSION and no NVIDIA_REQUIRE_CUDA asks for its major.minor.
    CudaRequirement legacy = CudaRequirement::fromEnv(
        {QStringLiteral("PATH=/bin"), QStringLiteral("CUDA_VERSION=10.0.130")});
    QCOMPARE(legacy.expressions, QStringList{QStringLiteral("cuda>=10.0")});
    QCOMPARE(legacy.neededCuda(), QStringLiteral("10.0"));

    // Every NVIDIA_REQUIRE_* but JETPACK; NVIDIA_REQUIRE_CUDA replaces the legacy rule.
    CudaRequirement image = CudaRequirement::fromEnv(
        {QStringLiteral("CUDA_VERSION=12.4.0"), QStringLiteral("NVIDIA_REQUIRE_CUDA=") + kCuda124,
         QStringLiteral("NVIDIA_REQUIRE_DRIVER=driver>=550"),
         QStringLiteral("NVIDIA_REQUIRE_JETPACK=csi")});
    QCOMPARE(image.expressions, (QStringList{kCuda124, QStringLiteral("driver>=550")}));
    QCOMPARE(image.cudaVersion, QStringLiteral("12.4.0"));
    QCOMPARE(image.neededCuda(), QStringLiteral("12.4"));
    QVERIFY(!image.disabled);

    // The launch's environment comes after the image's and wins, as in the container.
    const CudaRequirement overridden = CudaRequirement::fromEnv(
        {QStringLiteral("NVIDIA_REQUIRE_CUDA=cuda>=13.1"),
         QStringLiteral("NVIDIA_REQUIRE_CUDA=cuda>=12.0")});
    QCOMPARE(overridden.expressions, QStringList{QStringLiteral("cuda>=12.0")});

    QVERIFY(CudaRequirement::fromEnv({QStringLiteral("PATH=/bin")}).isEmpty());
    QVERIFY(CudaRequirement::fromEnv({QStringLiteral("PATH=/bin")}).neededCuda().isEmpty());
}

void TestCudaRequirement::disableRequire_data()
{
    QTest::addColumn<QString>("value");
    QTest::addColumn<bool>("disabled");
    // Go's strconv.ParseBool: these are true; anything else (yes, on, 2) is not.
    for (const char *v : {"1", "t", "T", "true", "TRUE", "True"})
        QTest::newRow(v) << QString::fromLatin1(v) << true;
    for (const char *v : {"0", "false", "yes", "on", ""})
        QTest::newRow(*v ? v : "empty") << QString::fromLatin1(v) << false;
}

void TestCudaRequirement::disableRequire()
{
    QFETCH(QString, value);
    QFETCH(bool, disabled);
    const CudaRequirement r = CudaRequirement::fromEnv(
        {QStringLiteral("NVIDIA_REQUIRE_CUDA=cuda>=13.1"),
         QStringLiteral("NVIDIA_DISABLE_REQUIRE=") + value});
    QCOMPARE(r.disabled, disabled);
    GpuSnapshot host;
    host.driverVersion = QStringLiteral("580.159.04");
    host.cudaVersion = QStringLiteral("13.0");
    QCOMPARE(r.check(QStringLiteral("img"), host).isError(), !disabled);
}

void TestCudaRequirement::refusalNamesBothVersions()
{
    const CudaRequirement r = CudaRequirement::fromEnv(
        {QStringLiteral("NVIDIA_REQUIRE_CUDA=") + kCuda130});
    GpuSnapshot host;
    host.driverVersion = QStringLiteral("575.57.08");
    host.cudaVersion = QStringLiteral("12.9");
    const Error refused = r.check(QStringLiteral("nvidia/cuda:13.0.1-base-ubuntu24.04"), host);
    QVERIFY(refused.isError());
    const QString message = refused.message();
    for (const char *part :
         {"nvidia/cuda:13.0.1-base-ubuntu24.04", "cuda>=13.0", "575.57.08", "CUDA 12.9",
          "newer NVIDIA driver", "CUDA 12.9 or older", "NVIDIA_DISABLE_REQUIRE"})
        QVERIFY2(message.contains(QLatin1String(part)), qPrintable(message));
    // the whole value is noise
    QVERIFY2(!message.contains(QLatin1String("brand=")), qPrintable(message));

    host.driverVersion = QStringLiteral("580.159.04");
    host.cudaVersion = QStringLiteral("13.0");
    QVERIFY(!r.check(QStringLiteral("img"), host).isError());
}

void TestCudaRequirement::unknownDriverIsNoRefusal()
{
    const CudaRequirement r = CudaRequirement::fromEnv(
        {QStringLiteral("NVIDIA_REQUIRE_CUDA=cuda>=13.1")});
    QVERIFY(!r.check(QStringLiteral("img"), GpuSnapshot()).isError());
    // A malformed requirement is refused whatever the driver: the toolkit refuses the start.
    const CudaRequirement bad = CudaRequirement::fromEnv(
        {QStringLiteral("NVIDIA_REQUIRE_CUDA=cuda>>13")});
    const Error refused = bad.check(QStringLiteral("img"), GpuSnapshot());
    QVERIFY(refused.isError());
    QVERIFY2(refused.message().contains(QLatin1String("NVIDIA_DISABLE_REQUIRE")),
             qPrintable(refused.message()));
}

QTEST_GUILESS_MAIN(TestCudaRequirement)
#include "tst_cudarequirement.moc"
