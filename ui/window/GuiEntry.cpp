#include "window/GuiEntry.h"

#include "cli/CommandLine.h"
#include "window/MainWindow.h"

#include <QApplication>
#include <QCommandLineParser>

void setGuiIdentity()
{
    // The organization is where QSettings keeps the window's state (~/.config/gpudeck/gpudeck.conf);
    // presets live apart from it, where the headless commands find them too.
    QApplication::setOrganizationName(QStringLiteral("gpudeck"));
    QApplication::setApplicationName(QStringLiteral("gpudeck"));
    QApplication::setApplicationDisplayName(QStringLiteral("GPU Deck"));
    QApplication::setApplicationVersion(QStringLiteral(GPUDECK_VERSION));
    // Wayland compositors and docks match the window to the desktop entry and its icon by this.
    QGuiApplication::setDesktopFileName(QStringLiteral("io.github.gpudeck.GpuDeck"));
}

int runGui(int argc, char *argv[])
{
    QApplication app(argc, argv);
    setGuiIdentity();

    QCommandLineParser parser;
    parser.setApplicationDescription(
        QApplication::translate("GuiEntry", "Point-and-click GPU containers on a Docker engine."));
    parser.addHelpOption();
    parser.addVersionOption();
    const QCommandLineOption host(
        {QStringLiteral("H"), QStringLiteral("host")},
        QApplication::translate("GuiEntry", "The engine to use, e.g. unix:///var/run/docker.sock "
                                            "(default: DOCKER_HOST, the docker context, the "
                                            "default socket)."),
        QStringLiteral("URL"));
    parser.addOption(host); // for --help: takeHost() reads it, as the headless commands do
    QStringList args = QApplication::arguments();
    const QString hostUrl = CommandLine::takeHost(args);
    parser.process(args);

    MainWindow window(hostUrl.isEmpty() ? parser.value(host) : hostUrl);
    window.show();
    return app.exec();
}
