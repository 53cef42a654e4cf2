#pragma once

#include <QByteArray>
#include <QList>
#include <QProcessEnvironment>
#include <QString>
#include <QStringList>

// Access to the sandboxed real dockerd that ctest starts (fixture "engine"). Under CI the
// engine must be there: a test that cannot reach it fails instead of skipping.
namespace TestEngine {

// The URL the product under test uses (unix://, ssh:// or tcp:// with TLS from DOCKER_TLS_VERIFY and
// DOCKER_CERT_PATH), or empty when the test runs without the fixture.
QString host();
// The same engine's local unix:// socket, for the docker CLI in tests (Debian's 20.10 reads no
// path in ssh:// URLs and refuses unix:// while DOCKER_TLS_VERIFY is set).
QString dockerHost();
QString socketPath();
bool isRemote();
bool underCi();
// Which engine the test runs against: "docker" (Debian's 20.10), "docker-cdi" (trixie's 26 with
// CDI), "docker28" (sid's 28.5: CDI on by default, API 1.51, the containerd image store) or
// "podman" (4.3) or "podman58" (sid's 5.8 in a sid root); from GPUDECK_TEST_ENGINE_KIND.
// hasCdi(): all but "docker"; isPodman(): both Podmans.
QString kind();
bool isPodman();
bool hasCdi();
// The Podman engine's stand-in GPUs: the UUIDs its CDI spec defines nvidia.com/gpu=<uuid> for.
QStringList podmanGpuUuids();
// podman's options that give a container these stand-in GPUs (by index in podmanGpuUuids()):
// --device nvidia.com/gpu=<uuid> each. Once started, Podman's inspect shows them as /dev/nvidiaN.
QStringList podmanGpuDevices(const QList<int> &indexes);
// A local image's name as the engine reports it: Podman qualifies it with localhost/.
QString engineImageName(const QString &image);

struct CliResult
{
    int exitCode = -1;
    QByteArray out;
    QByteArray err;
};

// What the docker CLI and the Docker SDK for Python need to reach dockerHost(): DOCKER_HOST, and
// the TLS variables emptied (both refuse unix:// while they are set).
QProcessEnvironment localCliEnvironment();

// Runs the docker CLI against the test engine's local socket: Debian's (/usr/bin/docker), or
// GPUDECK_TEST_DOCKER_CLI (the CDI engine's own 26 CLI).
CliResult docker(const QStringList &args, const QByteArray &input = {}, int timeoutMs = 60000);

// Runs the engine's own CLI on its local socket: docker() for Docker; for Podman, podman as a
// remote client (GPUDECK_TEST_PODMAN_CLI, Podman 5.8's own, or /usr/bin/podman --url; Debian's
// docker 20.10 cannot run containers on Podman 4.3: "unknown server OS").
CliResult engineCli(const QStringList &args, int timeoutMs = 120000);

// Runs a program with DOCKER_HOST = host() (and extra environment), as a user would run gpudeck.
CliResult runProgram(const QString &program, const QStringList &args,
                     const QProcessEnvironment &extraEnv = {}, int timeoutMs = 60000);

// An engine of the test's own: tests/scripts/test-engine.sh start DIR with the given
// GPUDECK_TEST_ENGINE_* settings (GPUDECK_TEST_TRIXIE_DIR is passed on for dockerd 26). The last
// line of a successful start's output is the engine's unix:// address.
CliResult startOwnEngine(const QString &dir, const QProcessEnvironment &settings);
void stopOwnEngine(const QString &dir);
// A Podman 4.3 engine of the test's own: tests/scripts/test-podman.sh start DIR, run through
// `launcher` (a command that runs its arguments, e.g. unshare into a mount namespace of the
// test's). The last line of a successful start's output is the engine's unix:// address.
CliResult startOwnPodman(const QString &dir, const QStringList &launcher = {});
void stopOwnPodman(const QString &dir);

// Creates the user-defined bridge network `name` on the test engine (which has no default bridge);
// its bridge is named after this engine's directory and `name` (at most 15 characters), since
// other engines on this machine make bridges at the same time. Returns the CLI's error, or empty.
QByteArray createNetwork(const QString &name);

// Copies every file under from to the same place under to (a docker config with its contexts).
bool copyTree(const QString &from, const QString &to);

} // namespace TestEngine

// Use at the start of each engine test function (or initTestCase).
#define GPUDECK_REQUIRE_ENGINE() \
    do { \
        if (TestEngine::host().isEmpty()) { \
            if (TestEngine::underCi()) \
                QFAIL( \
                    "GPUDECK_TEST_HOST is not set: the sandboxed engine did not start under CI"); \
            QSKIP("no test engine (run through ctest as root)"); \
        } \
    } while (false)
