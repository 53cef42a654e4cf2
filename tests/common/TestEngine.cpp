#include "TestEngine.h"

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
    return runWith(QStringLiteral("/usr/bin/docker"), args, input, {}, timeoutMs, true);
}

CliResult runProgram(const QString &program, const QStringList &args,
                     const QProcessEnvironment &extraEnv, int timeoutMs)
{
    return runWith(program, args, {}, extraEnv, timeoutMs, false);
}

} // namespace TestEngine
