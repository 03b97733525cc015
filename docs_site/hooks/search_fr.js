/* Appended by search_fr.py to the French language file that Material's search worker loads:
   accents are folded in the index and in the query, so « rejetee » finds what « rejetée »
   finds. Indexed words are folded by a pipeline function (the results still show and
   highlight the page's own text); the query is folded before lunr parses it, since Material
   adds a wildcard to each word and lunr runs no pipeline on a wildcard term. */
(function () {
  'use strict';
  var lunr = self.lunr;
  if (!lunr || !lunr.fr || lunr.fr.relaisFolded) return;
  var LIGATURES = { 'œ': 'oe', 'æ': 'ae', 'Œ': 'OE', 'Æ': 'AE' };

  function fold(text) {
    return text.normalize('NFD').replace(/[\u0300-\u036f]/g, '')
      .replace(/[œæŒÆ]/g, function (c) { return LIGATURES[c]; });
  }

  function foldToken(token) {
    return token.update(fold);
  }
  lunr.Pipeline.registerFunction(foldToken, 'relaisFold');

  var french = lunr.fr;
  lunr.fr = function () {
    french.apply(this, arguments);
    this.pipeline.before(french.stemmer, foldToken);
  };
  Object.assign(lunr.fr, french, { relaisFolded: true });

  var Parser = lunr.QueryParser;
  lunr.QueryParser = function (str, query) {
    Parser.call(this, fold(str), query);
  };
  lunr.QueryParser.prototype = Parser.prototype;
  Object.assign(lunr.QueryParser, Parser);
})();
