// The GPU checks before a launch, against the real engine: "N free GPUs" picked from the host's
// GPUs (the fake NVML library and a fake nvidia-smi, one GPU busy) by `gpudeck run` and by
// launches started together in one process; and the image's CUDA requirement (images made with
// docker import --change 'ENV NVIDIA_REQUIRE_CUDA=...') against a driver reporting CUDA 13.0.
#include "FakeSmi.h"
#include "TestEngine.h"

#include "engine/DockerClient.h"
#include "engine/Endpoint.h"
#include "gpu/GpuInventory.h"
#include "launch/FreeGpuPicker.h"
#include "launch/Launcher.h"
#include "presets/Preset.h"
#include "presets/PresetStore.h"

#include <QFile>
#include <QHash>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QTest>

namespace {

const QString kBaseImage = QStringLiteral("gpudeck-test:latest");
const QString kNeeds131 = QStringLiteral("gpudeck-cuda:13.1");
const QString kNeeds118 = QStringLiteral("gpudeck-cuda:11.8");
// The fake NVML's GPU 1 in its "shared" scenario: the idle one.
const QByteArray kIdleUuid = "GPU-00000000-0000-0000-0000-000000000010";

// nvidia/cuda:11.8.0-base-ubuntu20.04's own value, for an image that runs on CUDA 13.0.
const QString kReal118 = QStringLiteral(
    "cuda>=11.8 brand=tesla,driver>=470,driver<471 brand=unknown,driver>=470,driver<471 "
    "brand=nvidia,driver>=470,driver<471 brand=nvidiartx,driver>=470,driver<471 "
    "brand=geforce,driver>=470,driver<471 "
    "brand=geforcertx,driver>=470,driver<471 brand=quadro,driver>=470,driver<471 "
    "brand=quadrortx,driver>=470,driver<471 "
    "brand=titan,driver>=470,driver<471 brand=titanrtx,driver>=470,driver<471");

// A copy of the test image with these ENV lines, made as the issue asks: docker import --change.
bool importWithEnv(const QString &tag, const QStringList &env)
{
    const TestEngine::CliResult created = TestEngine::docker(
        {QStringLiteral("create"), kBaseImage});
    if (created.exitCode != 0)
        return false;
    const QString id = QString::fromLatin1(created.out.trimmed());
    const TestEngine::CliResult rootfs = TestEngine::docker({QStringLiteral("export"), id});
    TestEngine::docker({QStringLiteral("rm"), id});
    if (rootfs.exitCode != 0)
        return false;
    QStringList args = {QStringLiteral("import"), QStringLiteral("--change"),
                        QStringLiteral("ENV PATH=/bin"), QStringLiteral("--change"),
                        QStringLiteral("CMD [\"nvidia-smi\"]")};
    // Quoted: in ENV KEY=VALUE a space would start the next variable.
    for (const QString &entry : env)
        args << QStringLiteral("--change")
             << QStringLiteral("ENV %1=\"%2\"")
                    .arg(entry.section(QLatin1Char('='), 0, 0), entry.section(QLatin1Char('='), 1));
    args << QStringLiteral("-") << tag;
    return TestEngine::docker(args, rootfs.out).exitCode == 0;
}

// 3 GPUs for nvidia-smi: GPU 0 runs PID 5151, GPUs 1 and 2 are idle; the driver offers CUDA 13.0.
void writeSmiHost(const FakeSmi &smi, bool third)
{
    QByteArray identity = "0, GPU-aaaa, NVIDIA H100 80GB HBM3, 00000000:07:00.0, 81559, 4000, 90, "
                          "40, 50, 300.00, 700.00, Disabled, 580.159.04\n"
                          "1, GPU-bbbb, NVIDIA H100 80GB HBM3, 00000000:0F:00.0, 81559, 0, 0, 0, "
                          "30, 70.00, 700.00, Disabled, 580.159.04\n";
    if (third)
        identity += "2, GPU-cccc, NVIDIA H100 80GB HBM3, 00000000:17:00.0, 81559, 0, 0, 0, 30, "
                    "70.00, 700.00, Disabled, 580.159.04\n";
    smi.write(QStringLiteral("identity.csv"), identity);
    smi.write(QStringLiteral("apps.csv"), "GPU-aaaa, 5151, 3900\n");
    QFile table(QStringLiteral(GPUDECK_FIXTURES_DIR "/nvidia-smi/h100-table.txt"));
    if (table.open(QIODevice::ReadOnly))
        smi.write(QStringLiteral("table.txt"), table.readAll());
}

} // namespace

class TestGpuChecks : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void cleanupTestCase();
    void oneFreeTakesTheIdleGpu_data();
    void oneFreeTakesTheIdleGpu();
    void twoFreeIsRefusedNamingTheHolder_data();
    void twoFreeIsRefusedNamingTheHolder();
    void concurrentLaunchesTakeDifferentGpus();
    void newerCudaIsRefused_data();
    void newerCudaIsRefused();
    void disableRequireLaunchesAnyway();
    void realRequirementRuns();
    void imagesShowTheirCuda();
    void exportsNameTheFreeGpus();
    void doctorChecksThePresetsImages();

private:
    QString writePreset(const QString &name, const LaunchSpec &spec);
    // gpudeck run --preset, with the host's GPUs from the fake NVML ("nvml") or the fake
    // nvidia-smi ("smi").
    TestEngine::CliResult run(const LaunchSpec &spec, const QString &gpus);
    LaunchSpec gpuSpec(const QString &image, const GpuSelection &gpus) const;

    QTemporaryDir m_dir;
    FakeSmi m_smi;
};

void TestGpuChecks::initTestCase()
{
    GPUDECK_REQUIRE_ENGINE();
    QVERIFY(m_dir.isValid());
    QVERIFY(importWithEnv(kNeeds131, {QStringLiteral("CUDA_VERSION=13.1.0"),
                                      QStringLiteral("NVIDIA_REQUIRE_CUDA=cuda>=13.1")}));
    QVERIFY(importWithEnv(kNeeds118, {QStringLiteral("CUDA_VERSION=11.8.0"),
                                      QStringLiteral("NVIDIA_REQUIRE_CUDA=") + kReal118}));
    // The whole value arrived, spaces and all.
    const TestEngine::CliResult env = TestEngine::docker(
        {QStringLiteral("image"), QStringLiteral("inspect"), QStringLiteral("--format"),
         QStringLiteral("{{json .Config.Env}}"), kNeeds118});
    QVERIFY2(env.out.contains(QStringLiteral("NVIDIA_REQUIRE_CUDA=%1\"").arg(kReal118).toUtf8()),
             env.out.constData());
    writeSmiHost(m_smi, false);
}

void TestGpuChecks::cleanupTestCase()
{
    TestEngine::docker({QStringLiteral("rmi"), kNeeds131, kNeeds118});
}

QString TestGpuChecks::writePreset(const QString &name, const LaunchSpec &spec)
{
    const QString path = m_dir.filePath(PresetStore::slug(name) + QStringLiteral(".json"));
    return PresetStore::writeFile(path, Preset(name, spec).toFileBytes()) ? path : QString();
}

LaunchSpec TestGpuChecks::gpuSpec(const QString &image, const GpuSelection &gpus) const
{
    LaunchSpec spec;
    spec.image = image;
    spec.command = {QStringLiteral("nvidia-smi")};
    spec.gpus = gpus;
    spec.networkMode = QStringLiteral("none");
    return spec;
}

TestEngine::CliResult TestGpuChecks::run(const LaunchSpec &spec, const QString &gpus)
{
    QProcessEnvironment env;
    if (gpus == QLatin1String("nvml")) {
        env.insert(QStringLiteral("GPUDECK_NVML_PATH"), QStringLiteral(GPUDECK_FAKE_NVML));
        env.insert(QStringLiteral("GPUDECK_FAKE_NVML_SCENARIO"), QStringLiteral("shared"));
    } else {
        env.insert(QStringLiteral("GPUDECK_NVML_PATH"),
                   QStringLiteral("/nonexistent/libnvidia-ml.so.1"));
        env.insert(QStringLiteral("PATH"), QString::fromLocal8Bit(m_smi.pathOnly()));
    }
    const QString preset =
        writePreset(QStringLiteral("gpu check %1").arg(qHash(QTest::currentDataTag())), spec);
    return TestEngine::runProgram(QStringLiteral(GPUDECK_BINARY),
                                  {QStringLiteral("run"), QStringLiteral("--preset"), preset}, env,
                                  120000);
}

void TestGpuChecks::oneFreeTakesTheIdleGpu_data()
{
    QTest::addColumn<QString>("gpus");
    QTest::addColumn<QByteArray>("uuid");
    QTest::newRow("NVML") << QStringLiteral("nvml") << kIdleUuid;
    QTest::newRow("nvidia-smi") << QStringLiteral("smi") << QByteArray("GPU-bbbb");
}

void TestGpuChecks::oneFreeTakesTheIdleGpu()
{
    QFETCH(QString, gpus);
    QFETCH(QByteArray, uuid);
    const TestEngine::CliResult result = run(gpuSpec(kBaseImage, GpuSelection::ofFree(1)), gpus);
    QVERIFY2(result.exitCode == 0, result.err.constData());
    // The stub nvidia-smi prints what the daemon was asked for: the idle GPU, by UUID.
    QCOMPARE(result.out,
             QByteArray("NVIDIA_VISIBLE_DEVICES=" + uuid + "\nNVIDIA_DRIVER_CAPABILITIES=\n"));
    QVERIFY2(result.err.startsWith(
                 QByteArray("gpudeck: taking GPU 1 (" + uuid + ") (1 free GPU)\n")),
             result.err.constData());
}

void TestGpuChecks::twoFreeIsRefusedNamingTheHolder_data()
{
    QTest::addColumn<QString>("gpus");
    QTest::addColumn<QByteArray>("holder");
    QTest::newRow("NVML") << QStringLiteral("nvml")
                          << QByteArray("GPU 0: PID 4242 (256 MiB), PID 4243");
    QTest::newRow("nvidia-smi") << QStringLiteral("smi")
                                << QByteArray("GPU 0: PID 5151 (3900 MiB)");
}

void TestGpuChecks::twoFreeIsRefusedNamingTheHolder()
{
    QFETCH(QString, gpus);
    QFETCH(QByteArray, holder);
    LaunchSpec spec = gpuSpec(kBaseImage, GpuSelection::ofFree(2));
    spec.containerName =
        QStringLiteral("gpudeck-twofree-%1").arg(QCoreApplication::applicationPid());
    const TestEngine::CliResult result = run(spec, gpus);
    QCOMPARE(result.exitCode, 125);
    QCOMPARE(result.out, QByteArray());
    QVERIFY2(result.err.startsWith(
                 "gpudeck: Cannot take 2 free GPUs: only 1 of its 2 GPUs is free"),
             result.err.constData());
    QVERIFY2(result.err.contains(holder), result.err.constData());
    QCOMPARE(result.err.count('\n'), 1);
    // Refused before anything was created.
    QCOMPARE(TestEngine::docker({QStringLiteral("inspect"), spec.containerName}).exitCode, 1);
}

// Three launches of "1 free GPU" started at the same moment in one process, on a host with two
// idle GPUs: two take different GPUs, the third is refused saying the others are being taken.
void TestGpuChecks::concurrentLaunchesTakeDifferentGpus()
{
    FakeSmi smi;
    writeSmiHost(smi, true);
    qputenv("GPUDECK_NVML_PATH", "/nonexistent/libnvidia-ml.so.1");
    const QByteArray oldPath = qgetenv("PATH");
    qputenv("PATH", smi.pathOnly());
    const Result<Endpoint> endpoint = EndpointResolver::resolve(TestEngine::host());
    QVERIFY(endpoint.ok());
    DockerClient client(endpoint.value());
    GpuInventory inventory;

    QList<Launcher *> launchers;
    QList<QByteArray> outputs(3);
    int finished = 0;
    for (int i = 0; i < 3; ++i) {
        auto *launcher = new Launcher(&client, this);
        launcher->setGpuInventory(&inventory);
        connect(launcher, &Launcher::output, this,
                [&outputs, i](StreamDemuxer::Channel, const QByteArray &data) {
                    outputs[i] += data;
                });
        connect(launcher, &Launcher::finished, this, [&finished]() { ++finished; });
        launchers << launcher;
    }
    for (Launcher *launcher : std::as_const(launchers))
        launcher->launch(gpuSpec(kBaseImage, GpuSelection::ofFree(1)));
    QTRY_COMPARE_WITH_TIMEOUT(finished, 3, 60000);
    qputenv("PATH", oldPath);

    QStringList taken;
    QString refusal;
    for (int i = 0; i < 3; ++i) {
        Launcher *launcher = launchers.at(i);
        if (launcher->state() == Launcher::State::Failed) {
            refusal = launcher->error().message();
            continue;
        }
        QCOMPARE(launcher->state(), Launcher::State::Exited);
        QCOMPARE(launcher->takenGpus().size(), 1);
        const QString uuid = launcher->takenGpus().first().uuid;
        QCOMPARE(outputs.at(i), QByteArray("NVIDIA_VISIBLE_DEVICES=" + uuid.toLatin1()
                                           + "\nNVIDIA_DRIVER_CAPABILITIES=\n"));
        taken << uuid;
    }
    taken.sort();
    QCOMPARE(taken, (QStringList{QStringLiteral("GPU-bbbb"), QStringLiteral("GPU-cccc")}));
    QVERIFY2(refusal.contains(QLatin1String("another launch of GPU Deck is taking GPU 1, GPU 2")),
             qPrintable(refusal));
    QVERIFY2(refusal.contains(QLatin1String("GPU 0: PID 5151")), qPrintable(refusal));
    // Every reservation ended with its launch.
    QVERIFY(FreeGpuPicker::reserved(client.endpoint().url).isEmpty());
    qDeleteAll(launchers);
}

void TestGpuChecks::newerCudaIsRefused_data()
{
    QTest::addColumn<QString>("gpus");
    QTest::newRow("NVML CUDA driver version") << QStringLiteral("nvml");
    QTest::newRow("nvidia-smi table header") << QStringLiteral("smi");
}

void TestGpuChecks::newerCudaIsRefused()
{
    QFETCH(QString, gpus);
    LaunchSpec spec = gpuSpec(kNeeds131, GpuSelection::ofDevices({QStringLiteral("0")}));
    spec.containerName =
        QStringLiteral("gpudeck-cuda131-%1").arg(QCoreApplication::applicationPid());
    const TestEngine::CliResult result = run(spec, gpus);
    QCOMPARE(result.exitCode, 125);
    QCOMPARE(result.out, QByteArray());
    QCOMPARE(result.err.count('\n'), 1);
    for (const char *part :
         {"gpudeck-cuda:13.1", "cuda>=13.1", "driver 580.159.04 offers CUDA 13.0",
          "newer NVIDIA driver", "CUDA 13.0 or older"})
        QVERIFY2(result.err.contains(part), result.err.constData());
    QCOMPARE(TestEngine::docker({QStringLiteral("inspect"), spec.containerName}).exitCode, 1);

    // A launch without GPUs is not the toolkit's business: it runs.
    LaunchSpec plain = gpuSpec(kNeeds131, GpuSelection::none());
    const TestEngine::CliResult without = run(plain, gpus);
    QVERIFY2(without.exitCode == 0, without.err.constData());
}

void TestGpuChecks::disableRequireLaunchesAnyway()
{
    LaunchSpec spec = gpuSpec(kNeeds131, GpuSelection::ofDevices({QStringLiteral("0")}));
    spec.env = {QStringLiteral("NVIDIA_DISABLE_REQUIRE=1")};
    const TestEngine::CliResult result = run(spec, QStringLiteral("nvml"));
    QVERIFY2(result.exitCode == 0, result.err.constData());
    QCOMPARE(result.out, QByteArray("NVIDIA_VISIBLE_DEVICES=0\nNVIDIA_DRIVER_CAPABILITIES=\n"));
}

void TestGpuChecks::realRequirementRuns()
{
    // nvidia/cuda 11.8's requirement (alternatives by brand and driver) holds on CUDA 13.0.
    const TestEngine::CliResult result = run(gpuSpec(kNeeds118, GpuSelection::ofFree(1)),
                                             QStringLiteral("nvml"));
    QVERIFY2(result.exitCode == 0, result.err.constData());
    QCOMPARE(result.out,
             QByteArray("NVIDIA_VISIBLE_DEVICES=" + kIdleUuid + "\nNVIDIA_DRIVER_CAPABILITIES=\n"));
}

void TestGpuChecks::imagesShowTheirCuda()
{
    const TestEngine::CliResult json = TestEngine::runProgram(QStringLiteral(GPUDECK_BINARY),
                                                              {QStringLiteral("images"),
                                                               QStringLiteral("--json")});
    QVERIFY2(json.exitCode == 0, json.err.constData());
    QHash<QString, QString> cuda;
    const QJsonArray images = QJsonDocument::fromJson(json.out).array();
    for (const QJsonValue &image : images) {
        const QJsonArray tags = image.toObject().value(QStringLiteral("repoTags")).toArray();
        for (const QJsonValue &tag : tags)
            cuda.insert(tag.toString(), image.toObject().value(QStringLiteral("cuda")).toString());
    }
    QCOMPARE(cuda.value(kNeeds131), QStringLiteral("13.1"));
    QCOMPARE(cuda.value(kNeeds118), QStringLiteral("11.8"));
    QVERIFY(cuda.contains(kBaseImage));
    QCOMPARE(cuda.value(kBaseImage), QString()); // asks for nothing

    const TestEngine::CliResult text = TestEngine::runProgram(QStringLiteral(GPUDECK_BINARY),
                                                              {QStringLiteral("images")});
    QVERIFY2(text.exitCode == 0, text.err.constData());
    QVERIFY2(text.out.startsWith("IMAGE"), text.out.constData());
    QVERIFY2(text.out.contains("CUDA"), text.out.constData());
    bool seen = false;
    for (const QByteArray &line : text.out.split('\n')) {
        if (line.startsWith(QByteArray(kNeeds131.toLatin1() + ' '))) {
            QVERIFY2(line.contains(" 13.1 "), line.constData());
            seen = true;
        }
    }
    QVERIFY(seen);
}

void TestGpuChecks::exportsNameTheFreeGpus()
{
    const QString preset = writePreset(QStringLiteral("free export"),
                                       gpuSpec(kBaseImage, GpuSelection::ofFree(1)));
    QProcessEnvironment env;
    env.insert(QStringLiteral("GPUDECK_NVML_PATH"), QStringLiteral(GPUDECK_FAKE_NVML));
    env.insert(QStringLiteral("GPUDECK_FAKE_NVML_SCENARIO"), QStringLiteral("shared"));
    const TestEngine::CliResult line = TestEngine::runProgram(QStringLiteral(GPUDECK_BINARY),
                                                              {QStringLiteral("preset"),
                                                               QStringLiteral("show"), preset,
                                                               QStringLiteral("--format"),
                                                               QStringLiteral("docker-run")},
                                                              env);
    QVERIFY2(line.exitCode == 0, line.err.constData());
    QVERIFY2(line.out.contains(QByteArray("--gpus device=" + kIdleUuid + ' ')),
             line.out.constData());
    QVERIFY2(line.err.contains(QByteArray("GPU 1 (" + kIdleUuid + ") free now")),
             line.err.constData());
    const TestEngine::CliResult python = TestEngine::runProgram(QStringLiteral(GPUDECK_BINARY),
                                                                {QStringLiteral("preset"),
                                                                 QStringLiteral("show"), preset,
                                                                 QStringLiteral("--format"),
                                                                 QStringLiteral("python")},
                                                                env);
    QVERIFY2(python.out.contains(kIdleUuid), python.out.constData());
    // The stored preset keeps asking for a free GPU.
    QFile file(preset);
    QVERIFY(file.open(QIODevice::ReadOnly));
    const Result<Preset> stored = Preset::fromJson(file.readAll());
    QVERIFY(stored.ok());
    QCOMPARE(stored.value().spec().gpus, GpuSelection::ofFree(1));
}

void TestGpuChecks::doctorChecksThePresetsImages()
{
    QTemporaryDir presets;
    const auto save = [&presets](const QString &name, const LaunchSpec &spec) {
        return bool(PresetStore::writeFile(presets.filePath(PresetStore::slug(name)
                                                            + QStringLiteral(".json")),
                                           Preset(name, spec).toFileBytes()));
    };
    QProcessEnvironment env;
    env.insert(QStringLiteral("GPUDECK_PRESET_DIR"), presets.path());
    env.insert(QStringLiteral("GPUDECK_NVML_PATH"), QStringLiteral(GPUDECK_FAKE_NVML));
    env.insert(QStringLiteral("GPUDECK_FAKE_NVML_SCENARIO"), QStringLiteral("shared"));
    const auto cudaCheck = [&env]() {
        const TestEngine::CliResult run = TestEngine::runProgram(QStringLiteral(GPUDECK_BINARY),
                                                                 {QStringLiteral("doctor"),
                                                                  QStringLiteral("--json")},
                                                                 env);
        const QJsonArray checks =
            QJsonDocument::fromJson(run.out).object().value(QStringLiteral("checks")).toArray();
        for (const QJsonValue &check : checks) {
            if (check.toObject().value(QStringLiteral("id")).toString() == QLatin1String("cuda"))
                return std::make_pair(run.exitCode, check.toObject());
        }
        return std::make_pair(run.exitCode, QJsonObject());
    };

    // No GPU preset: nothing to check.
    QCOMPARE(cudaCheck().second.value(QStringLiteral("status")).toString(), QStringLiteral("skip"));

    QVERIFY(save(QStringLiteral("old cuda"), gpuSpec(kNeeds118, GpuSelection::ofFree(1))));
    auto [code, check] = cudaCheck();
    QCOMPARE(check.value(QStringLiteral("status")).toString(), QStringLiteral("pass"));
    QVERIFY2(
        check.value(QStringLiteral("detail")).toString().contains(QLatin1String("needs CUDA 11.8")),
        qPrintable(check.value(QStringLiteral("detail")).toString()));

    QVERIFY(save(QStringLiteral("new cuda"),
                 gpuSpec(kNeeds131, GpuSelection::ofDevices({QStringLiteral("0")}))));
    std::tie(code, check) = cudaCheck();
    QCOMPARE(code, 1);
    QCOMPARE(check.value(QStringLiteral("status")).toString(), QStringLiteral("fail"));
    const QString detail = check.value(QStringLiteral("detail")).toString();
    for (const char *part : {"gpudeck-cuda:13.1", "cuda>=13.1", "CUDA 13.0"})
        QVERIFY2(detail.contains(QLatin1String(part)), qPrintable(detail));
    QVERIFY(check.value(QStringLiteral("fix"))
                .toString()
                .contains(QLatin1String("newer NVIDIA driver")));
}

QTEST_GUILESS_MAIN(TestGpuChecks)
#include "tst_gpuchecks.moc"
