// Not a test: opens a shell in a running container (argv[1]) on DOCKER_HOST's engine, types a
// line with colours, wide characters and attributes into it (or GPUDECK_TOUR_TYPE), and stays open
// for a look or a screenshot under Xvfb (xvfb-run, then `import -window root shot.png`).
#include "engine/DockerClient.h"
#include "engine/Endpoint.h"
#include "terminal/ShellPage.h"
#include "terminal/TerminalScreen.h"
#include "terminal/TerminalView.h"

#include <QApplication>
#include <QTest>
#include <QTimer>

int main(int argc, char *argv[])
{
    QApplication app(argc, argv);
    if (argc < 2)
        return 2;
    const Result<Endpoint> endpoint = EndpointResolver::resolve({});
    if (!endpoint)
        return 1;
    DockerClient client(endpoint.value());
    const QString container = QString::fromLocal8Bit(argv[1]);
    ShellPage page(&client, container, container);
    page.resize(page.view()->cellSize().width() * 80 + 4,
                page.view()->cellSize().height() * 24 + 30);
    page.show();
    page.start();
    QTimer::singleShot(1500, &page, [&page]() {
        // GPUDECK_TOUR_TYPE: another line to type (e.g. a flood before a look at the scrollback).
        const QString typed = qEnvironmentVariable("GPUDECK_TOUR_TYPE");
        QTest::keyClicks(page.view(),
                         !typed.isEmpty()
                             ? typed
                             : QStringLiteral(
                                 "printf '\\033]0;tour title\\007\\033[1;31mbold red\\033[0m "
                                 "\\033[3;32mitalic green\\033[0m \\033[4munder\\033[0m "
                                 "\\033[7mreverse\\033[0m \\033[38;5;208m256\\033[0m "
                                 "\\033[38;2;90;160;255mtruecolor\\033[0m "
                                 "\\344\\270\\226\\347\\225\\214\\n'; ls /bin | head -n 5"));
        QTest::keyClick(page.view(), Qt::Key_Return);
    });
    QTimer::singleShot(qEnvironmentVariableIntValue("GPUDECK_TOUR_MS") > 0
                           ? qEnvironmentVariableIntValue("GPUDECK_TOUR_MS")
                           : 8000,
                       &app, &QApplication::quit);
    return app.exec();
}
