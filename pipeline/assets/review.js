const marks = Array.from(document.querySelectorAll('mark.claim'));
const panel = document.getElementById('details');
function show(m) {
  const d = JSON.parse(m.dataset.claim);
  const rows = ['value','value_max','unit','kind','qualifier','change','basis','period','period_role',
                'subject','section','claim_id','locator','ocr_confidence','context'];
  panel.innerHTML = '<dl>' + rows.map(k => '<dt>' + k + '</dt><dd data-field="' + k + '">' +
      String(d[k] ?? '').replace(/[&<>]/g, c => ({'&':'&amp;','<':'&lt;','>':'&gt;'}[c])) + '</dd>').join('') + '</dl>';
  marks.forEach(x => x.removeAttribute('aria-current'));
  m.setAttribute('aria-current', 'true');
}
marks.forEach(m => {
  m.addEventListener('click', () => { m.focus(); show(m); });
  m.addEventListener('focus', () => show(m));
});
function applyFilters() {
  const kinds = new Set(Array.from(document.querySelectorAll('input[name=kind]:checked')).map(i => i.value));
  const section = document.getElementById('section-filter').value;
  const noPeriod = document.getElementById('no-period').checked;
  marks.forEach(m => {
    const d = JSON.parse(m.dataset.claim);
    const visible = kinds.has(d.kind) && (!section || m.dataset.section === section) && (!noPeriod || !d.period);
    m.classList.toggle('hidden', !visible);
    m.tabIndex = visible ? 0 : -1;
  });
  document.getElementById('quarantine').classList.toggle('hidden', !document.getElementById('show-quarantine').checked);
  document.getElementById('visible-count').textContent = marks.filter(m => !m.classList.contains('hidden')).length;
}
document.querySelectorAll('#filters input, #filters select').forEach(i => i.addEventListener('change', applyFilters));
document.addEventListener('keydown', e => {
  if (e.target.tagName === 'INPUT' || e.target.tagName === 'SELECT') return;
  if (e.key !== 'j' && e.key !== 'k') return;
  const visible = marks.filter(m => !m.classList.contains('hidden'));
  const i = visible.indexOf(document.activeElement);
  const next = visible[e.key === 'j' ? Math.min(i + 1, visible.length - 1) : Math.max(i - 1, 0)];
  if (next) { next.focus(); next.scrollIntoView({block: 'center'}); }
});
applyFilters();
