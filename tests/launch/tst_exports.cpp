#include "common/ShellWords.h"
#include "launch/ByteSize.h"
#include "launch/ComposeExport.h"
#include "launch/DockerCreateBody.h"
#include "launch/DockerRunExport.h"
#include "launch/GpuFlag.h"
#include "launch/LaunchSpec.h"
#include "launch/PythonExport.h"

#include <QJsonDocument>
#include <QProcess>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QtTest>

Q_DECLARE_METATYPE(LaunchSpec)
Q_DECLARE_METATYPE(ExportTarget)

// Records what an exported Python script asks of the Docker SDK. Uses the real SDK's types
// when python3-docker is installed, a stand-in otherwise; the client is always a fake.
static const char kHarness[] = R"PY(
import json, runpy, sys, types
script, out_path = sys.argv[1], sys.argv[2]
try:
    import docker
    import docker.types
    real = True
except ImportError:
    real = False
    docker = types.ModuleType("docker")
    docker.types = types.ModuleType("docker.types")
    class DeviceRequest(dict):
        def __init__(self, driver="", count=0, device_ids=None, capabilities=None, options=None):
            super().__init__(Driver=driver, Count=count, DeviceIDs=device_ids or [],
                             Capabilities=capabilities or [], Options=options or {})
    docker.types.DeviceRequest = DeviceRequest
    sys.modules["docker"] = docker
    sys.modules["docker.types"] = docker.types
record = {"real_sdk": real, "calls": []}
class Container:
    id = "c0ffee"
    def wait(self):
        record["calls"].append("wait")
        return {"StatusCode": 7}
    def logs(self, stdout=True, stderr=True):
        record["calls"].append("logs")
        return b"out \xe2\x82\xac\n" if stdout and not stderr else b"err\n"
    def remove(self, force=False):
        record["calls"].append("remove")
class Containers:
    def run(self, image, **kwargs):
        record["calls"].append("run")
        record["image"] = image
        kwargs["device_requests"] = [dict(r) for r in kwargs.get("device_requests", [])]
        record["kwargs"] = kwargs
        return Container()
class Client:
    containers = Containers()
docker.from_env = lambda: Client()
code = 0
try:
    runpy.run_path(script, run_name="__main__")
except SystemExit as e:
    code = e.code
record["exit"] = code
with open(out_path, "w") as f:
    json.dump(record, f)
)PY";

class TestExports : public QObject
{
    Q_OBJECT

private:
    static LaunchSpec hostile();
    QString m_python;

private slots:
    void initTestCase();
    void shellQuote_data();
    void shellQuote();
    void shellRunsCommandLine_data();
    void shellRunsCommandLine();
    void dockerRunWords();
    void pythonLiteral();
    void pythonScript_data();
    void pythonScript();
    void exportsKnowOldPodman_data();
    void exportsKnowOldPodman();
};

LaunchSpec TestExports::hostile()
{
    LaunchSpec spec;
    spec.image = QStringLiteral("registry.example.com:5000/team/cuda:12.4-base");
    spec.command = {QStringLiteral("sh"),
                    QStringLiteral("-c"),
                    QStringLiteral("echo \"$HOME\" 'single' `id` $(id); a|b & c > /dev/null\\n"),
                    QStringLiteral("tab\there"),
                    QStringLiteral("new\nline"),
                    QString(),
                    QStringLiteral("-d"),
                    QStringLiteral("\u00e9\u20ac\U0001F600"),
                    QStringLiteral("*"),
                    QStringLiteral("~"),
                    QStringLiteral("#x"),
                    QStringLiteral("!!")};
    spec.env = {QStringLiteral("A=it's"), QStringLiteral("B=$x;`y`|&"),
                QStringLiteral("C=line\nbreak"), QStringLiteral("D=")};
    spec.gpus = GpuSelection::ofDevices(
        {QStringLiteral("0"), QStringLiteral("GPU-6bd9a4f2-1111-2222-3333-444455556666")});
    spec.capabilities = {QStringLiteral("compute"), QStringLiteral("utility")};
    spec.runtime = QStringLiteral("nvidia");
    spec.containerName = QStringLiteral("smi.test_1");
    spec.shmSize = QStringLiteral("1g");
    spec.ipcMode = QStringLiteral("host");
    spec.binds = {QStringLiteral("/srv/my data:/data:ro")};
    spec.networkMode = QStringLiteral("none");
    spec.tty = true;
    return spec;
}

void TestExports::initTestCase()
{
    m_python = QStandardPaths::findExecutable(QStringLiteral("python3"));
}

void TestExports::shellQuote_data()
{
    QTest::addColumn<QString>("word");
    QTest::addColumn<QString>("quoted");
    QTest::newRow("plain") << QStringLiteral("nvidia/cuda:12.4-base")
                           << QStringLiteral("nvidia/cuda:12.4-base");
    QTest::newRow("empty") << QString() << QStringLiteral("''");
    QTest::newRow("space") << QStringLiteral("a b") << QStringLiteral("'a b'");
    QTest::newRow("quote") << QStringLiteral("it's") << QStringLiteral("'it'\\''s'");
    QTest::newRow("dollar") << QStringLiteral("$HOME") << QStringLiteral("'$HOME'");
    QTest::newRow("csv quotes") << QStringLiteral("\"device=0,2\"")
                                << QStringLiteral("'\"device=0,2\"'");
}

void TestExports::shellQuote()
{
    QFETCH(QString, word);
    QFETCH(QString, quoted);
    QCOMPARE(ShellWords::quote(word), quoted);
}

void TestExports::shellRunsCommandLine_data()
{
    QTest::addColumn<LaunchSpec>("spec");
    QTest::addColumn<bool>("detach");
    LaunchSpec minimal;
    minimal.image = QStringLiteral("busybox");
    QTest::newRow("minimal") << minimal << false;
    QTest::newRow("hostile") << hostile() << false;
    QTest::newRow("hostile detached") << hostile() << true;
    LaunchSpec kept = hostile();
    kept.autoRemove = false;
    kept.gpus = GpuSelection::all();
    QTest::newRow("kept, all gpus") << kept << false;
    LaunchSpec cdi = hostile();
    cdi.deviceDriver = QStringLiteral("cdi");
    cdi.gpus = GpuSelection::ofDevices(
        {QStringLiteral("nvidia.com/gpu=0"), QStringLiteral("nvidia.com/gpu=1")});
    QTest::newRow("cdi") << cdi << false;
}

// Really runs the exported line in /bin/sh, with docker as a function that prints its argv.
void TestExports::shellRunsCommandLine()
{
    QFETCH(LaunchSpec, spec);
    QFETCH(bool, detach);
    const QString line = DockerRunExport::commandLine(spec, detach);
    QProcess sh;
    sh.start(QStringLiteral("/bin/sh"),
             {QStringLiteral("-c"),
              QStringLiteral("docker() { printf '%s\\0' \"$@\"; }\n") + line});
    QVERIFY(sh.waitForFinished(10000));
    QCOMPARE(sh.exitCode(), 0);
    QCOMPARE(sh.readAllStandardError(), QByteArray());
    QList<QByteArray> words = sh.readAllStandardOutput().split('\0');
    QCOMPARE(words.takeLast(), QByteArray());
    QStringList argv;
    for (const QByteArray &word : words)
        argv << QString::fromUtf8(word);
    const QStringList expected = DockerRunExport::arguments(spec, detach).mid(1);
    QCOMPARE(argv, expected);
    // The words end with the image and the command, exactly.
    QCOMPARE(argv.mid(argv.size() - spec.command.size() - 1),
             QStringList{spec.image} + spec.command);
    const QStringList options = argv.mid(1, argv.size() - spec.command.size() - 2);
    QCOMPARE(options.contains(QStringLiteral("--rm")), spec.autoRemove);
    QCOMPARE(options.contains(QStringLiteral("-d")), detach);
    // What docker would make of the --gpus word is the app's own request.
    const int gpus = argv.indexOf(QStringLiteral("--gpus"));
    if (!spec.usesGpus()) {
        QCOMPARE(gpus, -1);
    } else if (!spec.usesCdi()) {
        QVERIFY(gpus > 0);
        const auto parsed = GpuFlag::parse(argv.at(gpus + 1));
        QVERIFY2(parsed.ok(), qPrintable(argv.at(gpus + 1)));
        LaunchSpec back;
        parsed.value().applyTo(back);
        QCOMPARE(DockerCreateBody::deviceRequests(back), DockerCreateBody::deviceRequests(spec));
    } else {
        QCOMPARE(gpus, -1);
        QCOMPARE(argv.count(QStringLiteral("--device")), spec.gpus.devices.size());
    }
}

void TestExports::dockerRunWords()
{
    LaunchSpec spec;
    spec.image = QStringLiteral("nvidia/cuda:11.8.0-base-ubuntu20.04");
    spec.command = {QStringLiteral("nvidia-smi")};
    spec.gpus = GpuSelection::ofDevices({QStringLiteral("0"), QStringLiteral("2")});
    spec.runtime = QStringLiteral("nvidia");
    QCOMPARE(DockerRunExport::commandLine(spec, false),
             QStringLiteral("docker run --rm --runtime nvidia --gpus '\"device=0,2\"' "
                            "nvidia/cuda:11.8.0-base-ubuntu20.04 nvidia-smi"));
    spec.autoRemove = false;
    spec.env = {QStringLiteral("A=1")};
    spec.shmSize = QStringLiteral("1g");
    spec.ipcMode = QStringLiteral("host");
    spec.binds = {QStringLiteral("/a:/b:ro")};
    spec.networkMode = QStringLiteral("none");
    spec.containerName = QStringLiteral("smi");
    spec.tty = true;
    spec.gpus = GpuSelection::ofCount(2);
    QCOMPARE(DockerRunExport::commandLine(spec, true),
             QStringLiteral(
                 "docker run -d -t --name smi --runtime nvidia --gpus 2 -e A=1 --shm-size 1g "
                 "--ipc host -v /a:/b:ro --network none nvidia/cuda:11.8.0-base-ubuntu20.04 "
                 "nvidia-smi"));
}

void TestExports::pythonLiteral()
{
    QCOMPARE(PythonExport::stringLiteral(QStringLiteral("a\"b\\c\n\t'")),
             QStringLiteral("\"a\\\"b\\\\c\\n\\t'\""));
    QCOMPARE(PythonExport::stringLiteral(QStringLiteral("\u00e9\u20ac\U0001F600")),
             QStringLiteral("\"\\xe9\\u20ac\\U0001f600\""));
    QCOMPARE(PythonExport::stringLiteral(QString(QChar(1))), QStringLiteral("\"\\x01\""));
}

void TestExports::pythonScript_data()
{
    QTest::addColumn<LaunchSpec>("spec");
    QTest::addColumn<bool>("detach");
    QTest::newRow("hostile, auto-remove") << hostile() << false;
    LaunchSpec kept = hostile();
    kept.autoRemove = false;
    kept.gpus = GpuSelection::all();
    kept.capabilities.clear();
    QTest::newRow("kept, all gpus") << kept << false;
    QTest::newRow("hostile detached") << hostile() << true;
    LaunchSpec count = hostile();
    count.gpus = GpuSelection::ofCount(2);
    count.deviceDriver = QStringLiteral("nvidia");
    QTest::newRow("count with driver") << count << false;
    LaunchSpec cdi = hostile();
    cdi.deviceDriver = QStringLiteral("cdi");
    cdi.gpus = GpuSelection::ofDevices({QStringLiteral("nvidia.com/gpu=0")});
    QTest::newRow("cdi") << cdi << false;
    LaunchSpec plain;
    plain.image = QStringLiteral("busybox");
    QTest::newRow("no gpus, image command") << plain << false;
}

static QJsonValue normalised(QJsonValue v)
{
    // The SDK writes [] and {} where the CLI writes null; the daemon reads both alike.
    if (v.isObject()) {
        QJsonObject o = v.toObject();
        for (auto it = o.begin(); it != o.end(); ++it)
            it.value() = normalised(it.value());
        if (o.value(QStringLiteral("DeviceIDs")).isNull())
            o.insert(QStringLiteral("DeviceIDs"), QJsonArray());
        if (o.value(QStringLiteral("Capabilities")).isNull())
            o.insert(QStringLiteral("Capabilities"), QJsonArray());
        if (o.value(QStringLiteral("Options")).isNull())
            o.insert(QStringLiteral("Options"), QJsonObject());
        return o;
    }
    if (v.isArray()) {
        QJsonArray a;
        for (const QJsonValue &item : v.toArray())
            a.append(normalised(item));
        return a;
    }
    return v;
}

void TestExports::pythonScript()
{
    if (m_python.isEmpty())
        QSKIP("python3 is not installed");
    QFETCH(LaunchSpec, spec);
    QFETCH(bool, detach);
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString script = dir.filePath(QStringLiteral("launch.py"));
    const QString harness = dir.filePath(QStringLiteral("harness.py"));
    const QString record = dir.filePath(QStringLiteral("record.json"));
    {
        QFile f(script);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write(PythonExport::script(spec, detach).toUtf8());
        QFile h(harness);
        QVERIFY(h.open(QIODevice::WriteOnly));
        h.write(kHarness);
    }

    QProcess compile;
    compile.start(m_python, {QStringLiteral("-m"), QStringLiteral("py_compile"), script});
    QVERIFY(compile.waitForFinished(30000));
    QVERIFY2(compile.exitCode() == 0, compile.readAllStandardError().constData());

    QProcess run;
    run.start(m_python, {harness, script, record});
    QVERIFY(run.waitForFinished(30000));
    const QByteArray stdoutBytes = run.readAllStandardOutput();
    const QByteArray stderrBytes = run.readAllStandardError();
    QVERIFY2(run.exitCode() == 0, stderrBytes.constData());
    QFile f(record);
    QVERIFY(f.open(QIODevice::ReadOnly));
    const QJsonObject r = QJsonDocument::fromJson(f.readAll()).object();
    if (!r.value(QStringLiteral("real_sdk")).toBool())
        qInfo("python3-docker is not installed: checked against a stand-in for docker.types");
    const QJsonObject kwargs = r.value(QStringLiteral("kwargs")).toObject();
    const auto list = [](const QJsonValue &v) {
        QStringList out;
        for (const QJsonValue &item : v.toArray())
            out << item.toString();
        return out;
    };

    QCOMPARE(r.value(QStringLiteral("image")).toString(), spec.image);
    QCOMPARE(list(kwargs.value(QStringLiteral("command"))), spec.command);
    QCOMPARE(list(kwargs.value(QStringLiteral("environment"))), spec.env);
    QCOMPARE(list(kwargs.value(QStringLiteral("volumes"))), spec.binds);
    QCOMPARE(kwargs.value(QStringLiteral("runtime")).toString(), spec.runtime);
    QCOMPARE(kwargs.value(QStringLiteral("name")).toString(), spec.containerName);
    QCOMPARE(kwargs.value(QStringLiteral("ipc_mode")).toString(), spec.ipcMode);
    QCOMPARE(kwargs.value(QStringLiteral("network_mode")).toString(), spec.networkMode);
    QCOMPARE(kwargs.value(QStringLiteral("tty")).toBool(), spec.tty);
    QCOMPARE(kwargs.value(QStringLiteral("detach")).toBool(), true);
    if (!spec.shmSize.isEmpty())
        QCOMPARE(qint64(kwargs.value(QStringLiteral("shm_size")).toDouble()),
                 ByteSize::parse(spec.shmSize).value());
    QCOMPARE(normalised(kwargs.value(QStringLiteral("device_requests")).toArray()),
             normalised(DockerCreateBody::deviceRequests(spec)));
    QCOMPARE(kwargs.value(QStringLiteral("auto_remove")).toBool(), detach && spec.autoRemove);

    const QStringList calls = list(r.value(QStringLiteral("calls")));
    if (detach) {
        QCOMPARE(calls, QStringList{QStringLiteral("run")});
        QCOMPARE(r.value(QStringLiteral("exit")).toInt(), 0);
        QCOMPARE(stdoutBytes, QByteArray("c0ffee\n"));
    } else {
        QStringList expected = {QStringLiteral("run"), QStringLiteral("wait"),
                                QStringLiteral("logs"), QStringLiteral("logs")};
        if (spec.autoRemove)
            expected << QStringLiteral("remove");
        QCOMPARE(calls, expected);
        QCOMPARE(r.value(QStringLiteral("exit")).toInt(), 7);
        QCOMPARE(stdoutBytes, QByteArray("out \xe2\x82\xac\n"));
        QCOMPARE(stderrBytes, QByteArray("err\n"));
    }
}

void TestExports::exportsKnowOldPodman_data()
{
    QTest::addColumn<LaunchSpec>("spec");
    QTest::addColumn<ExportTarget>("target");
    QTest::addColumn<bool>("dropped");
    LaunchSpec automatic;
    automatic.image = QStringLiteral("nvidia/cuda:12.4.1-base-ubuntu22.04");
    automatic.command = {QStringLiteral("nvidia-smi")};
    automatic.gpus = GpuSelection::ofDevices(
        {QStringLiteral("GPU-6bd9a4f2-1111-2222-3333-444455556666")});
    LaunchSpec none = automatic;
    none.gpus = GpuSelection::none();
    // The automatic driver's request is what Podman before 5.4 drops without a word.
    QTest::newRow("automatic driver, Podman 4.3")
        << automatic << ExportTarget::podman(QStringLiteral("4.3.1")) << true;
    QTest::newRow("automatic driver, Podman 5.3")
        << automatic << ExportTarget::podman(QStringLiteral("5.3.2")) << true;
    QTest::newRow("automatic driver, Podman 5.4")
        << automatic << ExportTarget::podman(QStringLiteral("5.4.0")) << false;
    QTest::newRow("automatic driver, Podman 5.8")
        << automatic << ExportTarget::podman(QStringLiteral("5.8.6")) << false;
    QTest::newRow("automatic driver, Docker") << automatic << ExportTarget() << false;
    QTest::newRow("no GPUs, Podman 4.3")
        << none << ExportTarget::podman(QStringLiteral("4.3.1")) << false;
    // CDI devices are dropped too; podman-compose passes a service's devices on.
    LaunchSpec cdi = automatic;
    cdi.deviceDriver = QStringLiteral("cdi");
    QTest::newRow("cdi driver, Podman 4.3")
        << cdi << ExportTarget::podman(QStringLiteral("4.3.1")) << true;
}

void TestExports::exportsKnowOldPodman()
{
    QFETCH(LaunchSpec, spec);
    QFETCH(ExportTarget, target);
    QFETCH(bool, dropped);
    const QString podmanLine = DockerRunExport::podmanCommandLine(spec, false);
    QVERIFY(podmanLine.contains(QLatin1String("--device nvidia.com/gpu=")) == spec.usesGpus());
    const QString python = PythonExport::script(spec, false, target);
    const QString compose = ComposeExport::yaml(spec, target);
    for (const QString &text : {python, compose}) {
        // The header says so and gives the podman form; the rest is the same export as on Docker.
        QCOMPARE(text.contains(
                     QStringLiteral("Podman %1 drops the GPUs").arg(target.podmanVersion)),
                 dropped);
        QCOMPARE(text.contains(QStringLiteral("#   ") + podmanLine), dropped);
    }
    if (dropped)
        QCOMPARE(compose.contains(QLatin1String("Start it with podman-compose")), spec.usesCdi());
    if (!dropped) {
        QCOMPARE(python, PythonExport::script(spec, false));
        QCOMPARE(compose, ComposeExport::yaml(spec));
    }
    if (m_python.isEmpty())
        return;
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    QFile f(dir.filePath(QStringLiteral("launch.py")));
    QVERIFY(f.open(QIODevice::WriteOnly));
    f.write(python.toUtf8());
    f.close();
    QProcess compile;
    compile.start(m_python, {QStringLiteral("-m"), QStringLiteral("py_compile"), f.fileName()});
    QVERIFY(compile.waitForFinished(30000));
    QVERIFY2(compile.exitCode() == 0, compile.readAllStandardError().constData());
}

QTEST_GUILESS_MAIN(TestExports)
#include "tst_exports.moc"
