#pragma once

#include <QByteArray>
#include <QProcessEnvironment>
#include <QString>
#include <QStringList>

// Access to the sandboxed real dockerd that ctest starts (fixture "engine"). Under CI the
// engine must be there: a test that cannot reach it fails instead of skipping.
namespace TestEngine {

// The engine's URL (unix:///…/docker.sock), or empty when the test runs without the fixture.
QString host();
QString socketPath();
bool underCi();

struct CliResult
{
    int exitCode = -1;
    QByteArray out;
    QByteArray err;
};

// Runs Debian's docker CLI (/usr/bin/docker) against the test engine.
CliResult docker(const QStringList &args, const QByteArray &input = {}, int timeoutMs = 60000);

// Runs a program with DOCKER_HOST pointing at the test engine (and extra environment).
CliResult runProgram(const QString &program, const QStringList &args,
                     const QProcessEnvironment &extraEnv = {}, int timeoutMs = 60000);

} // namespace TestEngine

// Use at the start of each engine test function (or initTestCase).
#define GPUDECK_REQUIRE_ENGINE()                                                                   \
    do {                                                                                           \
        if (TestEngine::host().isEmpty()) {                                                        \
            if (TestEngine::underCi())                                                             \
                QFAIL("GPUDECK_TEST_HOST is not set: the sandboxed engine did not start under CI"); \
            QSKIP("no test engine (run through ctest as root)");                                   \
        }                                                                                          \
    } while (false)
