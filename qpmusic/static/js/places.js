// Turns each place field ([data-place-field]) into an accessible combobox fed by /places.
// The widget is GOV.UK's accessible-autocomplete (ARIA 1.2 combobox, listbox, live status);
// this file only connects it to our endpoint, our translations and the hidden place id.
(function () {
  'use strict'

  function fill (template, values) {
    return template.replace(/\{(\w+)\}/g, function (match, key) {
      return Object.prototype.hasOwnProperty.call(values, key) ? values[key] : match
    })
  }

  function escapeHtml (text) {
    var entities = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }
    return String(text).replace(/[&<>"']/g, function (ch) { return entities[ch] })
  }

  // Only the answer to the latest query is shown: slower earlier answers are dropped.
  function placeSource (url) {
    var latest = null
    var controller = null
    return function (query, populateResults) {
      latest = query
      if (controller) controller.abort()
      controller = window.AbortController ? new AbortController() : null
      fetch(url + '?q=' + encodeURIComponent(query), {
        headers: { Accept: 'application/json' },
        signal: controller ? controller.signal : undefined
      })
        .then(function (response) { return response.ok ? response.json() : [] })
        .then(function (places) { if (query === latest) populateResults(places) })
        .catch(function () {})
    }
  }

  function enhance (wrapper) {
    if (wrapper.dataset.enhanced || typeof window.accessibleAutocomplete !== 'function') return
    var input = wrapper.querySelector('input:not([type=hidden])')
    var hidden = wrapper.querySelector('input[data-place-id]')
    if (!input || !hidden) return
    var t = wrapper.dataset
    var label = wrapper.querySelector('label[for="' + input.id + '"]')
    if (label && !label.id) label.id = input.id + '-label'

    var container = document.createElement('div')
    container.className = 'place-combobox'
    input.parentNode.replaceChild(container, input)

    window.accessibleAutocomplete({
      element: container,
      id: input.id,
      name: input.name,
      defaultValue: input.value,
      required: input.required,
      minLength: Number(t.minLength || 2),
      confirmOnBlur: false,
      displayMenu: 'overlay',
      showNoOptionsFound: true,
      menuAttributes: label ? { 'aria-labelledby': label.id } : {},
      source: placeSource(t.source),
      templates: {
        inputValue: function (place) { return place ? (place.name || String(place)) : '' },
        suggestion: function (place) { return escapeHtml(place && place.label ? place.label : place) }
      },
      onConfirm: function (place) { if (place && place.id) hidden.value = place.id },
      tNoResults: function () { return t.tNoResults },
      tStatusQueryTooShort: function (n) { return fill(t.tQueryTooShort, { n: n }) },
      tStatusNoResults: function () { return t.tStatusNoResults },
      tStatusSelectedOption: function (option, count, index) {
        return fill(t.tStatusSelected, { option: option, position: index + 1, count: count })
      },
      tStatusResults: function (count, selected) {
        return fill(count === 1 ? t.tStatusOne : t.tStatusMany, { n: count }) + ' ' + selected
      },
      tAssistiveHint: function () { return t.tHint }
    })

    // Typing again means a different place: forget the id picked before.
    var combobox = document.getElementById(input.id)
    if (combobox) combobox.addEventListener('input', function () { hidden.value = '' })
    wrapper.dataset.enhanced = 'true'
  }

  document.querySelectorAll('[data-place-field]').forEach(enhance)
})()
