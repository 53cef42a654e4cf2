#include "TestEngine.h"

#include <QCryptographicHash>
#include <QDir>
#include <QDirIterator>
#include <QFile>
#include <QFileInfo>
#include <QProcess>

namespace TestEngine {

QString host()
{
    return qEnvironmentVariable("GPUDECK_TEST_HOST");
}

QString dockerHost()
{
    const QString local = qEnvironmentVariable("GPUDECK_TEST_DOCKER_HOST");
    return local.isEmpty() ? host() : local;
}

bool isRemote()
{
    return !host().startsWith(QLatin1String("unix://"));
}

QString socketPath()
{
    QString url = dockerHost();
    if (url.startsWith(QLatin1String("unix://")))
        url.remove(0, 7);
    return url;
}

bool underCi()
{
    const QString ci = qEnvironmentVariable("CI").toLower();
    return !ci.isEmpty() && ci != QLatin1String("0") && ci != QLatin1String("false");
}

QProcessEnvironment localCliEnvironment()
{
    QProcessEnvironment env;
    env.insert(QStringLiteral("DOCKER_HOST"), dockerHost());
    for (const char *var : {"DOCKER_TLS_VERIFY", "DOCKER_TLS", "DOCKER_CERT_PATH"})
        env.insert(QLatin1String(var), QString());
    return env;
}

static CliResult runWith(const QString &program, const QStringList &args, const QByteArray &input,
                         const QProcessEnvironment &extraEnv, int timeoutMs, bool localCli)
{
    QProcess process;
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    if (!host().isEmpty())
        env.insert(QStringLiteral("DOCKER_HOST"), host());
    if (localCli)
        env.insert(localCliEnvironment());
    const QStringList keys = extraEnv.keys();
    for (const QString &key : keys)
        env.insert(key, extraEnv.value(key));
    process.setProcessEnvironment(env);
    process.start(program, args);
    CliResult result;
    if (!process.waitForStarted(10000)) {
        result.err = process.errorString().toUtf8();
        return result;
    }
    if (!input.isEmpty())
        process.write(input);
    process.closeWriteChannel();
    if (!process.waitForFinished(timeoutMs)) {
        process.kill();
        process.waitForFinished(5000);
        result.err = "timed out";
        return result;
    }
    result.exitCode = process.exitStatus() == QProcess::NormalExit ? process.exitCode() : -1;
    result.out = process.readAllStandardOutput();
    result.err = process.readAllStandardError();
    return result;
}

CliResult docker(const QStringList &args, const QByteArray &input, int timeoutMs)
{
    const QString cli = qEnvironmentVariable("GPUDECK_TEST_DOCKER_CLI");
    return runWith(cli.isEmpty() ? QStringLiteral("/usr/bin/docker") : cli, args, input, {},
                   timeoutMs, true);
}

CliResult engineCli(const QStringList &args, int timeoutMs)
{
    if (!isPodman())
        return docker(args, {}, timeoutMs);
    const QString ownCli = qEnvironmentVariable("GPUDECK_TEST_PODMAN_CLI");
    if (!ownCli.isEmpty())
        return runWith(ownCli, args, {}, {}, timeoutMs, true);
    return runWith(QStringLiteral("/usr/bin/podman"),
                   QStringList{QStringLiteral("--url"), dockerHost()} + args, {}, {}, timeoutMs,
                   true);
}

QString kind()
{
    const QString k = qEnvironmentVariable("GPUDECK_TEST_ENGINE_KIND");
    return k.isEmpty() ? QStringLiteral("docker") : k;
}

bool isPodman()
{
    return kind().startsWith(QLatin1String("podman"));
}

bool hasCdi()
{
    return kind() != QLatin1String("docker");
}

QStringList podmanGpuUuids()
{
    QFile file(qEnvironmentVariable("GPUDECK_TEST_PODMAN_DIR") + QStringLiteral("/gpu-uuids"));
    if (!file.open(QIODevice::ReadOnly))
        return {};
    return QString::fromLatin1(file.readAll()).split(QLatin1Char('\n'), Qt::SkipEmptyParts);
}

QStringList podmanGpuDevices(const QList<int> &indexes)
{
    const QStringList uuids = podmanGpuUuids();
    QStringList options;
    for (const int index : indexes)
        options << QStringLiteral("--device")
                << QStringLiteral("nvidia.com/gpu=") + uuids.value(index);
    return options;
}

QString engineImageName(const QString &image)
{
    return isPodman() ? QStringLiteral("localhost/") + image : image;
}

CliResult runProgram(const QString &program, const QStringList &args,
                     const QProcessEnvironment &extraEnv, int timeoutMs)
{
    return runWith(program, args, {}, extraEnv, timeoutMs, false);
}

QByteArray createNetwork(const QString &name)
{
    const QByteArray key = QFileInfo(socketPath()).absolutePath().toUtf8() + '/' + name.toUtf8();
    const QString bridge =
        QStringLiteral("gd")
        + QString::fromLatin1(
            QCryptographicHash::hash(key, QCryptographicHash::Sha256).toHex().left(12));
    const CliResult created = docker(
        {QStringLiteral("network"), QStringLiteral("create"), QStringLiteral("-o"),
         QStringLiteral("com.docker.network.bridge.name=") + bridge, name});
    return created.exitCode == 0 ? QByteArray() : created.err + created.out;
}

bool copyTree(const QString &from, const QString &to)
{
    QDirIterator it(from, QDir::Files, QDirIterator::Subdirectories);
    while (it.hasNext()) {
        const QString file = it.next();
        const QString target = to + file.mid(from.size());
        if (!QDir().mkpath(QFileInfo(target).path()) || !QFile::copy(file, target))
            return false;
    }
    return true;
}

CliResult startOwnEngine(const QString &dir, const QProcessEnvironment &settings)
{
    QProcessEnvironment env = settings;
    env.insert(QStringLiteral("GPUDECK_TEST_TRIXIE_DIR"),
               qEnvironmentVariable("GPUDECK_TEST_TRIXIE_DIR"));
    return runProgram(QStringLiteral(GPUDECK_TEST_SCRIPTS "/test-engine.sh"),
                      {QStringLiteral("start"), dir}, env, 180000);
}

void stopOwnEngine(const QString &dir)
{
    runProgram(QStringLiteral(GPUDECK_TEST_SCRIPTS "/test-engine.sh"),
               {QStringLiteral("stop"), dir});
}

CliResult startOwnPodman(const QString &dir, const QStringList &launcher)
{
    const QStringList start = {QStringLiteral(GPUDECK_TEST_SCRIPTS "/test-podman.sh"),
                               QStringLiteral("start"), dir};
    const QStringList command = launcher + start;
    return runProgram(command.first(), command.mid(1), {}, 180000);
}

void stopOwnPodman(const QString &dir)
{
    runProgram(QStringLiteral(GPUDECK_TEST_SCRIPTS "/test-podman.sh"),
               {QStringLiteral("stop"), dir});
}

} // namespace TestEngine
