#include "CommandPane.h"

#include "launch/DockerRunExport.h"
#include "launch/PythonExport.h"

#include <QApplication>
#include <QClipboard>
#include <QFontDatabase>
#include <QHBoxLayout>
#include <QLabel>
#include <QPlainTextEdit>
#include <QTabWidget>
#include <QTimer>
#include <QToolButton>
#include <QVBoxLayout>

CommandPane::CommandPane(QWidget *parent)
    : QWidget(parent),
      m_tabs(new QTabWidget(this)),
      m_dockerRun(new QPlainTextEdit(this)),
      m_python(new QPlainTextEdit(this)),
      m_copyDockerRun(new QToolButton(this)),
      m_copyPython(new QToolButton(this))
{
    setObjectName(QStringLiteral("commandPane"));
    m_tabs->setObjectName(QStringLiteral("commandTabs"));
    m_dockerRun->setObjectName(QStringLiteral("dockerRunText"));
    m_python->setObjectName(QStringLiteral("pythonText"));
    m_copyDockerRun->setObjectName(QStringLiteral("copyDockerRun"));
    m_copyPython->setObjectName(QStringLiteral("copyPython"));

    m_tabs->setDocumentMode(true);
    m_tabs->addTab(page(m_dockerRun, m_copyDockerRun, tr("the docker run line")), tr("docker run"));
    m_tabs->addTab(page(m_python, m_copyPython, tr("the Python script")), tr("Python"));
    m_dockerRun->setWordWrapMode(QTextOption::WrapAtWordBoundaryOrAnywhere);
    m_python->setLineWrapMode(QPlainTextEdit::NoWrap);

    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_tabs);

    connect(m_copyDockerRun, &QToolButton::clicked, this, [this]() {
        QApplication::clipboard()->setText(dockerRun());
    });
    connect(m_copyPython, &QToolButton::clicked, this, [this]() {
        QApplication::clipboard()->setText(python());
    });
}

QWidget *CommandPane::page(QPlainTextEdit *text, QToolButton *copy, const QString &what)
{
    auto *widget = new QWidget(this);
    text->setReadOnly(true);
    text->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    text->setTextInteractionFlags(Qt::TextSelectableByMouse | Qt::TextSelectableByKeyboard);
    copy->setText(tr("Copy"));
    copy->setToolButtonStyle(Qt::ToolButtonTextOnly);
    copy->setToolTip(tr("Copy %1 to the clipboard").arg(what));
    connect(copy, &QToolButton::clicked, copy, [copy]() {
        // A moment of feedback: nothing else shows that the clipboard changed.
        copy->setText(tr("Copied"));
        QTimer::singleShot(1200, copy, [copy]() { copy->setText(tr("Copy")); });
    });
    auto *layout = new QHBoxLayout(widget);
    layout->setContentsMargins(0, 4, 0, 0);
    layout->addWidget(text, 1);
    auto *side = new QVBoxLayout;
    side->addWidget(copy);
    side->addStretch(1);
    layout->addLayout(side);
    return widget;
}

void CommandPane::setSpec(const LaunchSpec &spec)
{
    if (m_haveSpec && spec == m_spec)
        return;
    m_spec = spec;
    m_haveSpec = true;
    // Replace the text only when it changed, so that a selection survives unrelated updates.
    const QString run = DockerRunExport::commandLine(spec, false);
    if (m_dockerRun->toPlainText() != run)
        m_dockerRun->setPlainText(run);
    const QString script = PythonExport::script(spec, false);
    if (m_python->toPlainText() != script)
        m_python->setPlainText(script);
}

QString CommandPane::dockerRun() const
{
    return m_dockerRun->toPlainText();
}

QString CommandPane::python() const
{
    return m_python->toPlainText();
}
